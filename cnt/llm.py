"""The language model, through the official OpenAI SDK: one place that builds the client
from settings (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_TIMEOUT_SECONDS), asks for a JSON
answer and sorts the SDK's errors into transient (retry later) and terminal ones.

The voice assistant (live/voice_agent.py) reads the same two settings for its LLM plugin.
"""

import json
from dataclasses import dataclass

import openai
from django.conf import settings


@dataclass
class LLMError(Exception):
    message: str
    transient: bool

    def __str__(self) -> str:
        return self.message


def is_enabled() -> bool:
    return bool(settings.OPENAI_API_KEY)


def client() -> openai.OpenAI:
    # The callers' jobs retry with their own backoff (media/jobs.py): the SDK does not.
    return openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=settings.OPENAI_TIMEOUT_SECONDS,
        max_retries=0,
    )


def complete_json(*, model: str, system: str, user: str, max_tokens: int = 2000) -> dict:
    """The model's answer to one exchange as a JSON object. Raises LLMError: transient for
    timeouts, connection errors, rate limits, 5xx and a malformed answer; terminal for the
    rest (a bad key, a refused request)."""
    try:
        response = client().chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_object"},
            temperature=0.2,
            max_tokens=max_tokens,
        )
    except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as exc:
        raise LLMError(f"The language model is unavailable: {exc}", transient=True)
    except openai.APIStatusError as exc:
        raise LLMError(
            f"The language model refused the request ({exc.status_code}): {exc.message}",
            transient=exc.status_code in (408, 409),
        )
    except openai.OpenAIError as exc:
        raise LLMError(f"The language model failed: {exc}", transient=True)
    choice = response.choices[0] if response.choices else None
    content = choice.message.content if choice is not None else None
    try:
        answer = json.loads(content or "")
    except ValueError:
        raise LLMError("The language model's answer was not JSON.", transient=True)
    if not isinstance(answer, dict):
        raise LLMError("The language model's answer was not a JSON object.", transient=True)
    return answer
