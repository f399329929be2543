"""The voice assistant: a LiveKit Agents worker (Deepgram speech-to-text, OpenAI LLM and
text-to-speech) whose tools answer from our own data (live/agent_tools.py).

It registers with an agent name, so LiveKit dispatches it explicitly: into the voice rooms
whose tokens carry a RoomAgentDispatch (live.services.voice_session_create) or through the
agent dispatch API. Jobs run in child processes: `prewarm` sets Django up there, and tools
reach the database through sync_to_async.
"""

import asyncio
import json
import logging
import signal
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from livekit.agents import (
    Agent,
    AgentServer,
    AgentSession,
    AutoSubscribe,
    JobContext,
    JobProcess,
    RunContext,
    function_tool,
)
from livekit.plugins import deepgram, openai

logger = logging.getLogger("cnt.live.voice")

INSTRUCTIONS = (
    "You are the CNT Media voice assistant for a church media platform. Answer briefly and "
    "warmly, in plain spoken sentences without lists or markdown. Use your tools to find "
    "podcasts, music and movies in our catalogue, to say what is live now or scheduled, and "
    "to look up Bible stories and documents; answer only from what the tools return and say "
    "so when nothing is found. Never invent titles, times or scripture."
)
GREETING = "Greet the user in one short sentence and offer to help them find something."

# Setting name -> what it is, for the operator's error message.
REQUIRED_SETTINGS = {
    "LIVEKIT_URL": "LiveKit server URL",
    "LIVEKIT_API_KEY": "LiveKit API key",
    "LIVEKIT_API_SECRET": "LiveKit API secret",
    "OPENAI_API_KEY": "OpenAI API key (LLM and text-to-speech)",
    "DEEPGRAM_API_KEY": "Deepgram API key (speech-to-text)",
}


@dataclass(frozen=True)
class VoiceConfig:
    livekit_url: str
    livekit_api_key: str
    livekit_api_secret: str
    agent_name: str
    openai_api_key: str
    openai_base_url: str
    deepgram_api_key: str
    deepgram_base_url: str
    llm_model: str
    tts_model: str
    tts_voice: str
    stt_model: str


def missing_settings() -> list[str]:
    from django.conf import settings

    return [name for name in REQUIRED_SETTINGS if not getattr(settings, name, "")]


def _listen_url(api_url: str) -> str:
    """The streaming endpoint of the Deepgram the transcription uses (DEEPGRAM_API_URL);
    empty for Deepgram's own, which the plugin knows."""
    base = (api_url or "").rstrip("/")
    return "" if base in ("", "https://api.deepgram.com") else f"{base}/v1/listen"


def config_from_settings() -> VoiceConfig:
    from django.conf import settings

    return VoiceConfig(
        livekit_url=settings.LIVEKIT_URL,
        livekit_api_key=settings.LIVEKIT_API_KEY,
        livekit_api_secret=settings.LIVEKIT_API_SECRET,
        agent_name=settings.LIVEKIT_AGENT_NAME,
        openai_api_key=settings.OPENAI_API_KEY,
        openai_base_url=settings.OPENAI_BASE_URL,
        deepgram_api_key=settings.DEEPGRAM_API_KEY,
        deepgram_base_url=_listen_url(settings.DEEPGRAM_API_URL),
        llm_model=settings.VOICE_AGENT_LLM_MODEL,
        tts_model=settings.VOICE_AGENT_TTS_MODEL,
        tts_voice=settings.VOICE_AGENT_TTS_VOICE,
        stt_model=settings.VOICE_AGENT_STT_MODEL,
    )


async def _tool_result(function, *args) -> str:
    from django.db import close_old_connections

    def call():
        close_old_connections()
        return function(*args)

    return json.dumps(await sync_to_async(call)(), ensure_ascii=False, default=str)


class Assistant(Agent):
    def __init__(self) -> None:
        super().__init__(instructions=INSTRUCTIONS)

    @function_tool
    async def search_catalog(self, context: RunContext, query: str) -> str:
        """Search the approved podcasts, music tracks and movies by title, artist or topic.

        Args:
            query: Words from the title, the artist's name or the topic.
        """
        from live import agent_tools

        return await _tool_result(agent_tools.catalog_search, query)

    @function_tool
    async def live_schedule(self, context: RunContext) -> str:
        """List the public live streams on air now and the next scheduled ones."""
        from live import agent_tools

        return await _tool_result(agent_tools.live_schedule)

    @function_tool
    async def find_bible_story(self, context: RunContext, query: str) -> str:
        """Find an animated Bible story by its title or scripture reference.

        Args:
            query: A title such as "David and Goliath" or a reference such as "1 Samuel 17".
        """
        from live import agent_tools

        return await _tool_result(agent_tools.bible_story_lookup, query)

    @function_tool
    async def find_document(self, context: RunContext, query: str) -> str:
        """Find a published document (a Bible edition, a study guide) by title or topic.

        Args:
            query: Words from the document's title or description.
        """
        from live import agent_tools

        return await _tool_result(agent_tools.document_lookup, query)


def build_session(config: VoiceConfig) -> AgentSession:
    """The speech pipeline: Deepgram STT (its end-of-speech ends the turn), OpenAI LLM, TTS."""
    stt_kwargs = {"model": config.stt_model, "api_key": config.deepgram_api_key}
    if config.deepgram_base_url:
        stt_kwargs["base_url"] = config.deepgram_base_url
    openai_kwargs = {"api_key": config.openai_api_key}
    if config.openai_base_url:
        openai_kwargs["base_url"] = config.openai_base_url
    return AgentSession(
        stt=deepgram.STT(**stt_kwargs),
        llm=openai.LLM(model=config.llm_model, **openai_kwargs),
        tts=openai.TTS(model=config.tts_model, voice=config.tts_voice, **openai_kwargs),
        turn_handling={"turn_detection": "stt"},
    )


def prewarm(proc: JobProcess) -> None:
    """Runs once in each job process, before any job: Django must be set up there."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


async def entrypoint(ctx: JobContext) -> None:
    """One voice room: join (audio only), start the pipeline, greet."""
    config = await sync_to_async(config_from_settings)()
    logger.info("voice assistant joining %s", ctx.room.name)
    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
    session = build_session(config)
    await session.start(agent=Assistant(), room=ctx.room, record=False)
    session.generate_reply(instructions=GREETING)


def build_server(config: VoiceConfig) -> AgentServer:
    server = AgentServer(
        ws_url=config.livekit_url,
        api_key=config.livekit_api_key,
        api_secret=config.livekit_api_secret,
        setup_fnc=prewarm,
    )
    server.rtc_session(entrypoint, agent_name=config.agent_name)
    return server


def run_worker(server: AgentServer, *, devmode: bool = False) -> None:
    """Run until SIGINT/SIGTERM, then drain running jobs and close."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        worker = asyncio.create_task(server.run(devmode=devmode))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({worker, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if worker in done:
            stopping.cancel()
            worker.result()  # a terminal failure (e.g. LiveKit unreachable) surfaces here
            return
        logger.info("stopping: draining running sessions")
        if not devmode:
            await server.drain()
        await server.aclose()
        await asyncio.gather(worker, return_exceptions=True)

    asyncio.run(main())
