"""`manage.py run_voice_agent`: the voice-assistant worker (LiveKit Agents)."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run the voice-assistant worker: joins the voice rooms LiveKit dispatches it to "
        "(Deepgram speech-to-text, OpenAI LLM and text-to-speech)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dev",
            action="store_true",
            help="Development mode: no idle job processes, no drain on stop.",
        )

    def handle(self, *args, **options):
        from live import voice_agent

        missing = voice_agent.missing_settings()
        if missing:
            described = "; ".join(
                f"{name} ({voice_agent.REQUIRED_SETTINGS[name]})" for name in missing
            )
            raise CommandError(
                f"The voice assistant cannot start. Set these environment variables: {described}."
            )
        config = voice_agent.config_from_settings()
        self.stdout.write(
            f"Voice assistant '{config.agent_name}' connecting to {config.livekit_url}"
        )
        voice_agent.run_worker(voice_agent.build_server(config), devmode=options["dev"])
