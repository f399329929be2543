"""The voice-assistant worker: missing keys stop the command with a clear message; with keys
it builds the pipeline against the configured endpoints and registers with LiveKit under
its agent name (here a local fake of LiveKit's agent WebSocket)."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import WSMsgType, web
from django.core.management import CommandError, call_command
from livekit import api
from livekit.agents import AgentServer, AgentSession
from livekit.plugins import deepgram, openai
from livekit.protocol import agent as agent_proto

from live import voice_agent
from tests.live.fake_livekit import KEY, SECRET

ROOT = Path(__file__).resolve().parents[2]


def config(**overrides) -> voice_agent.VoiceConfig:
    values = {
        "livekit_url": "http://127.0.0.1:9",
        "livekit_api_key": KEY,
        "livekit_api_secret": SECRET,
        "agent_name": "cnt-test-agent",
        "openai_api_key": "sk-test",
        "openai_base_url": "http://127.0.0.1:9/v1",
        "deepgram_api_key": "dg-test",
        "deepgram_base_url": "http://127.0.0.1:9/v1/listen",
        "llm_model": "gpt-4o-mini",
        "tts_model": "gpt-4o-mini-tts",
        "tts_voice": "alloy",
        "stt_model": "nova-3",
    }
    return voice_agent.VoiceConfig(**{**values, **overrides})


def test_missing_keys_stop_the_command_naming_them(settings):
    settings.LIVEKIT_URL = "wss://live.example.org"
    settings.LIVEKIT_API_KEY = ""
    settings.OPENAI_API_KEY = ""
    settings.DEEPGRAM_API_KEY = "dg"
    with pytest.raises(CommandError) as caught:
        call_command("run_voice_agent")
    message = str(caught.value)
    assert "LIVEKIT_API_KEY" in message and "OPENAI_API_KEY" in message
    assert "DEEPGRAM_API_KEY" not in message and "LIVEKIT_URL" not in message


@pytest.mark.parametrize(
    ("api_url", "listen_url"),
    [
        ("https://api.deepgram.com", ""),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/v1/listen"),
        ("https://deepgram.church.example", "https://deepgram.church.example/v1/listen"),
    ],
)
def test_speech_to_text_uses_the_deepgram_the_transcription_uses(settings, api_url, listen_url):
    settings.DEEPGRAM_API_URL = api_url
    assert voice_agent.config_from_settings().deepgram_base_url == listen_url


def test_the_command_exits_non_zero_with_the_message():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnt.settings"}
    for name in voice_agent.REQUIRED_SETTINGS:
        env[name] = ""
    result = subprocess.run(
        [sys.executable, "manage.py", "run_voice_agent"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Set these environment variables" in result.stderr
    for name in voice_agent.REQUIRED_SETTINGS:
        assert name in result.stderr


def test_the_pipeline_uses_the_configured_models_and_endpoints():
    async def build():
        session = voice_agent.build_session(config())
        assert isinstance(session, AgentSession)
        assert isinstance(session.stt, deepgram.STT)
        assert session.stt._opts.endpoint_url == "http://127.0.0.1:9/v1/listen"
        assert session.stt.model == "nova-3"
        assert isinstance(session.llm, openai.LLM) and session.llm.model == "gpt-4o-mini"
        assert str(session.llm._client.base_url) == "http://127.0.0.1:9/v1/"
        assert isinstance(session.tts, openai.TTS)
        assert session.tts._opts.model == "gpt-4o-mini-tts" and session.tts._opts.voice == "alloy"
        assert str(session.tts._client.base_url) == "http://127.0.0.1:9/v1/"

    asyncio.run(build())


def test_the_assistant_offers_our_tools():
    names = sorted(tool.id for tool in voice_agent.Assistant().tools)
    assert names == ["find_bible_story", "find_document", "live_schedule", "search_catalog"]


def test_the_server_is_built_for_explicit_dispatch():
    server = voice_agent.build_server(config())
    assert isinstance(server, AgentServer)
    assert server._agent_name == "cnt-test-agent"
    assert server._entrypoint_fnc is voice_agent.entrypoint
    assert server.setup_fnc is voice_agent.prewarm
    assert (server._ws_url, server._api_key) == ("http://127.0.0.1:9", KEY)


def test_the_worker_starts_and_registers_with_livekit(monkeypatch):
    """Up to the point it would take jobs: the worker opens LiveKit's agent socket with an
    agent token and registers under our agent name."""
    for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"):
        monkeypatch.delenv(name, raising=False)  # run() exports them; undone after the test
    seen = {}

    async def scenario():
        registered = asyncio.Event()

        async def agent_socket(request):
            seen["authorization"] = request.headers.get("Authorization", "")
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            message = await ws.receive()
            assert message.type == WSMsgType.BINARY
            worker_message = agent_proto.WorkerMessage.FromString(message.data)
            seen["register"] = worker_message.register
            reply = agent_proto.ServerMessage(
                register=agent_proto.RegisterWorkerResponse(worker_id="W_test")
            )
            await ws.send_bytes(reply.SerializeToString())
            registered.set()
            async for _ in ws:
                pass
            return ws

        app = web.Application()
        app.router.add_get("/agent", agent_socket)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]

        server = voice_agent.build_server(config(livekit_url=f"http://127.0.0.1:{port}"))
        worker = asyncio.create_task(server.run(devmode=True))
        try:
            await asyncio.wait_for(registered.wait(), timeout=20)
            await asyncio.sleep(0.2)
            assert server.id == "W_test"
        finally:
            await server.aclose()
            await asyncio.wait_for(worker, timeout=20)
            await runner.cleanup()

    asyncio.run(scenario())
    assert seen["register"].agent_name == "cnt-test-agent"
    claims = api.TokenVerifier(KEY, SECRET).verify(seen["authorization"].removeprefix("Bearer "))
    assert claims.video.agent is True
