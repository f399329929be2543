"""The API's JSON parser: bounded in size and depth, and NUL-free.

DRF's own JSONParser reads the whole body whatever its size (DATA_UPLOAD_MAX_MEMORY_SIZE
only guards Django's form parsing), lets a deeply nested document reach the recursion
limit (a 500), and hands on strings PostgreSQL cannot store. This one answers 413
`payload_too_large` for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (reading at most one byte
more), 400 `too_deep` past API_JSON_MAX_DEPTH levels, and a 400 field error (`invalid`,
naming the field) for a string or key holding NUL or another control character (tab and
line breaks are text).
"""

import codecs
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from cnt.errors import InvalidInput, PayloadTooLarge
from cnt.text import has_forbidden_characters

DEFAULT_MAX_DEPTH = 32
# Strict JSON carries control characters inside strings only as escapes (DEL may be raw):
# a body without any of these holds none, and the walk over its strings is skipped.
_MAYBE_FORBIDDEN = re.compile(r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\[bf]|\x7f")


def _may_hold_forbidden(text: str) -> bool:
    if "\\" not in text and "\x7f" not in text:  # most bodies: no escapes at all
        return False
    return _MAYBE_FORBIDDEN.search(text) is not None


def _may_nest_too_deep(text: str) -> bool:
    return text.count("[") + text.count("{") > max_depth()


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def max_depth() -> int:
    return int(getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def body_too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {max_body_bytes()} bytes this API accepts.",
        "payload_too_large",
    )


def _too_deep() -> InvalidInput:
    return InvalidInput(
        f"The JSON document is nested deeper than {max_depth()} levels.", "too_deep"
    )


def _control_characters(path: str) -> InvalidInput:
    message = "Text may not contain NUL or other control characters."
    # A field error like any other (code `invalid`, the field named under `errors`).
    return InvalidInput(errors={path or "non_field_errors": [message]})


def _deeper_than(document, limit: int) -> bool:
    """Whether containers nest past `limit` (a lean walk over containers only)."""
    stack = [(document, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        kind = type(value)
        if kind is dict:
            items = value.values()
        elif kind is list:
            items = value
        else:
            continue
        if depth > limit:
            return True
        for item in items:
            if type(item) is dict or type(item) is list:
                push((item, depth + 1))
    return False


def check_document(document) -> None:
    """Walk a parsed document without recursion: refuse nesting past the depth limit and
    strings (values or keys) holding forbidden characters, naming the first one's path."""
    limit = max_depth()
    stack = [(document, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if has_forbidden_characters(value):
                raise _control_characters(path)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > limit:
            raise _too_deep()
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if has_forbidden_characters(key):
                    shown = key.encode("unicode_escape").decode("ascii")  # no NUL echoed back
                    raise _control_characters(f"{path}.{shown}" if path else shown)
                stack.append((item, depth + 1, child))
        else:
            for index, item in enumerate(value):
                stack.append((item, depth + 1, f"{path}.{index}" if path else str(index)))


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = max_body_bytes()
        request = parser_context.get("request")
        declared = _content_length(request)
        if limit and declared is not None and declared > limit:
            raise body_too_large()
        raw = stream.read(limit + 1) if limit else stream.read()
        if limit and len(raw) > limit:
            raise body_too_large()
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")
        try:
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            document = json.loads(text, parse_constant=parse_constant)
        except RecursionError:  # thousands deep: the C parser's own recursion guard
            raise _too_deep()
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")
        # Each walk runs only when the text could break its rule; a typical body skips both.
        if _may_nest_too_deep(text) and _deeper_than(document, max_depth()):
            raise _too_deep()
        if _may_hold_forbidden(text):
            check_document(document)
        return document


def _content_length(request) -> int | None:
    meta = getattr(request, "META", None) or {}
    try:
        return int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
