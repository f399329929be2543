"""Content kinds: the one list of what the platform publishes and moderates.

Each kind is declared once, by the app that owns its model (catalog: podcasts, movies, music;
bible: Bible stories; community: posts), in that app's `kinds.py`, which its `apps.py`
imports. App configs are imported before any model, so every kind is known by the time
models, admin modules and serializers are built. Everything that needs "every kind" reads
this registry: moderation and its dashboard, search, plays, progress, history and resume,
playlists, cache busting, the moderators' permissions and the admin console.

Adding a kind = its model + one `kind_register(ContentKind(...))`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_noop


class UnknownContentKind(LookupError):
    """A name or model that no registered content kind has."""


@dataclass(frozen=True)
class ContentKind:
    """What the platform needs to know of one kind of content."""

    name: str  # as named in API paths, playlist items, plays and moderation decisions
    label: str
    model_label: str  # "app_label.ModelName"
    position: int  # order of the moderation queue, the dashboard and search results
    owner_field: str = "owner"
    # Streamable asset fields, preferred first, with the asset kinds each accepts.
    media_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    image_fields: tuple[str, ...] = ()
    # Other fields loaded with the content (select_related), e.g. its artist.
    related_fields: tuple[str, ...] = ("category",)
    has_artist: bool = False
    # Plays, progress, history, "continue", trending: needs play_count and duration_seconds.
    is_playable: bool = False
    in_playlists: bool = False
    # Searchable: the table has a `search_document` column (title A, `search_fields[1]` B,
    # description C; see the kind's search migration), and these fields for the substring
    # fallback (title first) and the typo lexicon (`lexicon_fields`).
    is_searchable: bool = False
    search_fields: tuple[str, ...] = ()
    lexicon_fields: tuple[str, ...] = ("title",)
    has_published_at: bool = False
    # Public text an untrusted owner's edit of approved content cannot change at once: the
    # edit waits for a moderator (catalog/moderation.py, content_edit_*) while the approved
    # text stays public and searchable.
    reviewed_text_fields: tuple[str, ...] = ()
    # Spoken word (sermons, podcasts, films, Bible stories): transcribed for captions,
    # transcripts and search inside what was said (catalog/transcripts.py).
    is_spoken_word: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def moderation_permission(self) -> str:
        """The permission whose holders moderate this kind (e.g. catalog.change_podcast)."""
        app_label, model_name = self.model_label.split(".")
        return f"{app_label}.change_{model_name.lower()}"

    @cached_property  # read for every serialized row
    def media_field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.media_fields)

    @property
    def asset_kinds(self) -> tuple[str, ...]:
        """Every asset kind the content streams (an upload for it must be one of these)."""
        return tuple(sorted({kind for _, accepted in self.media_fields for kind in accepted}))

    @property
    def asset_fields(self) -> tuple[str, ...]:
        return (*self.media_field_names, *self.image_fields)

    def owner_id_of(self, obj) -> int | None:
        return getattr(obj, f"{self.owner_field}_id", None)


_KINDS: dict[str, ContentKind] = {}
# Kept in step by kind_register: the queue order, and the kinds by model label (lower case),
# so the hot paths (a kind per serialized row) neither sort nor scan.
_ORDERED: list[ContentKind] = []
_BY_LABEL: dict[str, ContentKind] = {}


def kind_register(kind: ContentKind) -> ContentKind:
    """Declare a content kind (once, from the owning app's kinds.py)."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"content kind {kind.name!r} is declared twice")
    _KINDS[kind.name] = kind
    _ORDERED[:] = sorted(_KINDS.values(), key=lambda known: (known.position, known.name))
    _BY_LABEL[kind.model_label.lower()] = kind
    # Holders of any kind's change permission are moderators (accounts decides roles).
    from accounts.policies import moderation_permission_add

    moderation_permission_add(kind.moderation_permission)
    return kind


def kinds() -> list[ContentKind]:
    """Every kind, in queue order."""
    return list(_ORDERED)


def kind_get(name) -> ContentKind:
    try:
        return _KINDS[str(getattr(name, "value", name))]
    except KeyError:
        raise UnknownContentKind(name)


def kind_for(model_or_obj) -> ContentKind:
    """The kind of a model class or instance."""
    try:
        return _BY_LABEL[model_or_obj._meta.label_lower]
    except KeyError:
        raise UnknownContentKind(model_or_obj._meta.label)


def playable_kinds() -> list[ContentKind]:
    return [kind for kind in kinds() if kind.is_playable]


def playlist_kinds() -> list[ContentKind]:
    return [kind for kind in kinds() if kind.in_playlists]


def searchable_kinds() -> list[ContentKind]:
    return [kind for kind in kinds() if kind.is_searchable]


def spoken_word_kinds() -> list[ContentKind]:
    return [kind for kind in kinds() if kind.is_spoken_word]


def kind_text_choices(class_name: str, selected=None) -> type[models.TextChoices]:
    """A TextChoices enum of the kinds (members named after the kind, upper case)."""
    members = [
        (kind.name.upper(), (kind.name, kind.label))
        for kind in (kinds() if selected is None else selected)
    ]
    return models.TextChoices(class_name, members)


# A field of a kind that an app above the catalogue stores in its own tables registers a
# writer: writer(obj=..., value=...) keeps the app's rows and returns the value to store on
# the item (normalised), or raises an application error for a value it refuses.
_FIELD_WRITERS: dict[tuple[str, str], Callable] = {}
# The kind name of a writer for every kind (a field all kinds share, such as OUTLINE).
ANY_KIND = "*"


def kind_field_writer_register(kind_name: str, field: str, writer: Callable) -> None:
    _FIELD_WRITERS[(kind_name, field)] = writer


def kind_field_writer(kind_name: str, field: str) -> Callable | None:
    return _FIELD_WRITERS.get((kind_name, field)) or _FIELD_WRITERS.get((ANY_KIND, field))


# Spoken word's chapters and summary (catalog/transcripts.py): not a column of the item but
# public text like its description, so an untrusted owner's change to approved content waits
# for review as part of the item's pending edit ({"summary": str, "chapters": [...]}).
OUTLINE = "outline"


def kind_reviewed_fields(kind: "ContentKind") -> tuple[str, ...]:
    """Every field whose change waits for review: the kind's public text, and the outline
    of spoken word."""
    return (*kind.reviewed_text_fields, *((OUTLINE,) if kind.is_spoken_word else ()))


# Such a field can also register a normaliser: normalise(value=...) returns the value as the
# writer would store it, or raises for a value it refuses, without storing anything (an edit
# that waits for review is checked when it is made, applied when it is approved).
_FIELD_NORMALISERS: dict[tuple[str, str], Callable] = {}


def kind_field_normaliser_register(kind_name: str, field: str, normalise: Callable) -> None:
    _FIELD_NORMALISERS[(kind_name, field)] = normalise


def kind_field_normaliser(kind_name: str, field: str) -> Callable | None:
    return _FIELD_NORMALISERS.get((kind_name, field))


# --- the catalogue's own kinds ---------------------------------------------------------------

_PUBLISHED = {
    "related_fields": ("category", "artist"),
    "has_artist": True,
    "is_playable": True,
    "in_playlists": True,
    "is_searchable": True,
    "search_fields": ("title", "tags", "description"),
    "lexicon_fields": ("title", "tags"),
    "has_published_at": True,
}

_PUBLIC_TEXT = ("title", "description", "tags")

PODCAST = kind_register(
    ContentKind(
        name="podcast",
        label=gettext_noop("Podcast"),
        model_label="catalog.Podcast",
        position=10,
        media_fields=(("video", ("video",)), ("audio", ("audio",))),
        image_fields=("thumbnail",),
        reviewed_text_fields=(*_PUBLIC_TEXT, "scripture_reference"),
        is_spoken_word=True,
        **_PUBLISHED,
    )
)
MOVIE = kind_register(
    ContentKind(
        name="movie",
        label=gettext_noop("Movie"),
        model_label="catalog.Movie",
        position=20,
        media_fields=(("video", ("video",)),),
        image_fields=("thumbnail", "poster"),
        reviewed_text_fields=(*_PUBLIC_TEXT, "director", "cast"),
        is_spoken_word=True,
        **_PUBLISHED,
    )
)
MUSIC = kind_register(
    ContentKind(
        name="music",
        label=gettext_noop("Music track"),
        model_label="catalog.MusicTrack",
        position=30,
        media_fields=(("audio", ("audio",)),),
        image_fields=("thumbnail",),
        reviewed_text_fields=(*_PUBLIC_TEXT, "album", "genre", "lyrics"),
        **_PUBLISHED,
    )
)
