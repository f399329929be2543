"""The embedded channel layer (cnt/channel_spool.py): a process without sockets (the worker)
spools its group sends; the process with sockets (web) delivers them in order, drops stale
ones, and delivers its own sends in memory."""

import asyncio
import json
import os
import time

from asgiref.sync import async_to_sync

from cnt.channel_spool import SpoolChannelLayer


def test_sends_of_another_process_reach_the_sockets_in_order(tmp_path):
    web = SpoolChannelLayer(spool_dir=tmp_path)
    worker = SpoolChannelLayer(spool_dir=tmp_path)

    async def scenario():
        channel = await web.new_channel()
        await web.group_add("user.1", channel)
        for step in range(3):
            await worker.group_send("user.1", {"type": "push.event", "step": step})
        await worker.group_send("user.2", {"type": "push.event", "step": "elsewhere"})
        received = [await asyncio.wait_for(web.receive(channel), 3) for _ in range(3)]
        # The web process's own sends skip the spool.
        await web.group_send("user.1", {"type": "push.event", "step": "local"})
        received.append(await asyncio.wait_for(web.receive(channel), 1))
        await asyncio.sleep(0.3)
        return received, sorted(os.listdir(tmp_path))

    received, left = async_to_sync(scenario)()
    assert [message["step"] for message in received] == [0, 1, 2, "local"]
    assert left == []  # every spooled file read, the other user's one too (nobody listens)


def test_a_worker_without_a_web_process_spools_and_stale_files_are_dropped(tmp_path):
    worker = SpoolChannelLayer(spool_dir=tmp_path, expiry=60)
    async_to_sync(worker.group_send)("user.1", {"type": "push.event", "n": 1})
    (spooled,) = os.listdir(tmp_path)
    assert json.loads((tmp_path / spooled).read_text()) == {
        "group": "user.1",
        "message": {"type": "push.event", "n": 1},
    }
    stale = f"{time.time_ns() - 120 * 10**9:020d}-1-00000000.json"
    (tmp_path / stale).write_text(json.dumps({"group": "user.1", "message": {"type": "x"}}))
    web = SpoolChannelLayer(spool_dir=tmp_path, expiry=60)

    async def scenario():
        channel = await web.new_channel()
        await web.group_add("user.1", channel)
        first = await asyncio.wait_for(web.receive(channel), 3)
        await asyncio.sleep(0.3)
        return first, web.channels[channel].qsize() if channel in web.channels else 0

    first, more = async_to_sync(scenario)()
    assert first["n"] == 1 and more == 0
    assert os.listdir(tmp_path) == []
