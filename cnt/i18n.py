"""Which language a message is written in: one rule for API responses, emails and pushes.

A user's saved `language` wins; otherwise the request's Accept-Language (LocaleMiddleware),
or for messages sent outside a request the device's locale, else the site default."""

from django.conf import settings
from django.utils import translation


def supported(code: str | None) -> str | None:
    """The supported language for a code like 'fr', 'fr-CA' or 'fr_FR', or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError:
        return None


def language_for(user=None, *, fallback: str | None = None) -> str:
    """The language to write to `user` in (an instance or None); `fallback` is what the
    context suggests (a device locale, a request's language)."""
    return (
        supported(getattr(user, "language", "") or None)
        or supported(fallback)
        or settings.LANGUAGE_CODE
    )


def activate_for_user(user, request=None) -> None:
    """Switch this request's messages to the user's saved language, if they saved one."""
    language = supported(getattr(user, "language", "") or None)
    if language is None:
        return
    translation.activate(language)
    if request is not None:
        request.LANGUAGE_CODE = language
        django_request = getattr(request, "_request", None)
        if django_request is not None:
            django_request.LANGUAGE_CODE = language
