"""Rules for characters in text a client sends, shared by the request bounds (path, query
and JSON bodies), single-line fields (names that end up in email headers) and the places
that build headers from stored text.

PostgreSQL cannot store NUL in text or JSONB, and the other C0 control characters have no
business in anything a person types, except tab and line breaks in multi-line text.
Single-line text (a display name, a subject) refuses line breaks too, including Unicode's
line and paragraph separators: they end up in email headers and push payloads.
"""

import re
import unicodedata

# C0 controls other than tab, LF and CR, plus DEL.
FORBIDDEN_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_SEPARATORS = frozenset("\u2028\u2029\x85")


def has_forbidden_characters(value: str) -> bool:
    """Whether multi-line text holds NUL or a control character other than tab/CR/LF."""
    return FORBIDDEN_IN_TEXT.search(value) is not None


def has_control_characters(value: str) -> bool:
    """Whether single-line text holds any control character or line break."""
    return any(char in _LINE_SEPARATORS or unicodedata.category(char) == "Cc" for char in value)


def single_line(value: str) -> str:
    """The text with every control character and line break turned into a space and runs of
    spaces collapsed: for building a header from text stored before these rules held, or
    from a third party (a Google profile name)."""
    cleaned = "".join(
        " " if char in _LINE_SEPARATORS or unicodedata.category(char) == "Cc" else char
        for char in value
    )
    return " ".join(cleaned.split())


def contains_nul(value) -> bool:
    """Whether a NUL character hides anywhere in a parsed JSON value (strings, keys, lists):
    what a signed webhook must not carry into the database."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def shortened(text: str, size: int) -> str:
    """`text` on one line, cut to at most `size` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
