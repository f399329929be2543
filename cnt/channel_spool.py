"""The channel layer of the embedded mode with a worker: in memory in the web process, and
fed by the other processes of the same machine (the Celery worker) through a spool folder.

An in-memory layer reaches only the sockets of its own process, and the embedded mode has
no Redis. Here a process that serves sockets (it joined a group or waits on a channel: the
web process) delivers its group sends in memory and reads the spool; any other process (the
worker telling an owner about an upload's progress) writes each group send as a file there,
which the web process delivers within POLL_SECONDS, in order. Files older than the layer's
expiry are dropped unread, as Redis would expire them. One web process only: with several,
run Redis (REDIS_URL), as production does.
"""

import asyncio
import itertools
import json
import logging
import os
import time
from pathlib import Path

from channels.layers import InMemoryChannelLayer

logger = logging.getLogger("cnt.channel_spool")

POLL_SECONDS = 0.1
PRUNE_EVERY = 100  # group sends written between two prunes of stale files


class SpoolChannelLayer(InMemoryChannelLayer):
    """InMemoryChannelLayer plus a spool folder other local processes send through."""

    def __init__(self, spool_dir, expiry=60, **kwargs):
        super().__init__(expiry=expiry, **kwargs)
        self.spool = Path(spool_dir)
        self.spool.mkdir(parents=True, exist_ok=True)
        self._reader: asyncio.Task | None = None
        self._counter = itertools.count()

    # -- the web process: serves sockets, reads the spool

    @property
    def is_reader(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def _start_reader(self) -> None:
        if not self.is_reader:
            self._reader = asyncio.get_running_loop().create_task(self._read_spool())

    async def group_add(self, group, channel):
        self._start_reader()
        await super().group_add(group, channel)

    async def receive(self, channel):
        self._start_reader()
        return await super().receive(channel)

    async def _read_spool(self) -> None:
        while True:
            try:
                await self._deliver_spooled()
            except Exception:  # a bad file must not stop delivery of the next ones
                logger.exception("reading the channel spool %s failed", self.spool)
            await asyncio.sleep(POLL_SECONDS)

    async def _deliver_spooled(self) -> None:
        oldest = time.time_ns() - int(self.expiry * 1e9)
        names = sorted(e.name for e in os.scandir(self.spool) if not e.name.startswith("."))
        for name in names:
            path = self.spool / name
            try:
                data = path.read_bytes()
                path.unlink()
            except FileNotFoundError:
                continue
            if int(name.split("-", 1)[0]) < oldest:
                continue
            entry = json.loads(data)
            await super().group_send(entry["group"], entry["message"])

    # -- every process

    async def group_send(self, group, message):
        if self.is_reader:
            await super().group_send(group, message)
            return
        self._spool_write(group, message)

    def _spool_write(self, group: str, message: dict) -> None:
        count = next(self._counter)
        name = f"{time.time_ns():020d}-{os.getpid()}-{count:08d}.json"
        partial = self.spool / f".{name}"
        partial.write_text(json.dumps({"group": group, "message": message}))
        os.replace(partial, self.spool / name)  # readers never see half a file
        if count % PRUNE_EVERY == PRUNE_EVERY - 1:
            self._prune()

    def _prune(self) -> None:
        """Drop files nobody read within the expiry (no web process running)."""
        oldest = time.time_ns() - int(self.expiry * 1e9)
        for entry in os.scandir(self.spool):
            stamp = entry.name.lstrip(".").split("-", 1)[0]
            if stamp.isdigit() and int(stamp) < oldest:
                Path(entry.path).unlink(missing_ok=True)
