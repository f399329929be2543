"""Reads for the catalogue. Every read of content goes through the visibility rule in
catalog/policies.py; `*_get_for_user` fetches and authorizes in one call (hidden = not found).

Querysets returned here carry the joins and prefetches their API representation needs, so
list endpoints run a fixed number of queries whatever the page size.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog import kinds, policies
from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    Movie,
    MusicTrack,
    PlaybackProgress,
    PlayEvent,
    Playlist,
    PlaylistItem,
    Podcast,
)
from cnt.errors import NotFound
from cnt.models import ModerationStatus
from media.models import AssetKind, Rendition

TRENDING_DAYS = 7


def type_of(model_or_obj) -> str:
    """The API name of a content model or object ("podcast", "bible_story", ...)."""
    return kinds.kind_for(model_or_obj).name


# --- content -------------------------------------------------------------------------------


def primary_asset(obj):
    """The asset a player streams: a podcast's video if it has one, else its audio."""
    for field in kinds.kind_for(obj).media_field_names:
        asset = getattr(obj, field)
        if asset is not None:
            return asset
    return None


def stream_type(obj) -> str:
    """ "video" or "audio": what kind of player the item needs."""
    asset = primary_asset(obj)
    if asset is not None:
        return "video" if asset.kind == AssetKind.VIDEO else "audio"
    return "video" if kinds.kind_for(obj).asset_kinds == ("video",) else "audio"


def content_duration(obj) -> float:
    """Seconds, from the asset when it knows (it is probed on upload), else the stored value."""
    asset = primary_asset(obj)
    if asset is not None and asset.duration_seconds:
        return float(asset.duration_seconds)
    return float(obj.duration_seconds or 0)


# Columns of a media asset no representation of content reads: processing bookkeeping and
# the probe's metadata (a JSON document per row). Deferred, a list page of 20 items loads
# and converts a fraction of what it would.
UNSHOWN_ASSET_FIELDS = (
    "metadata",
    "error",
    "checksum_sha256",
    "storage_key",
    "original_filename",
    "processing_attempts",
    "processing_started_at",
    "heartbeat_at",
    "processed_at",
)


DOWNLOAD_COLUMNS = ("path", "size_bytes", "duration_seconds", "width", "height", "bitrate")

UNSHOWN_TRANSCRIPT_FIELDS = ("words", "paragraphs", "text", "heartbeat_at", "started_at")


def content_queryset(*, model: type[Model]) -> QuerySet:
    """All rows of `model` with what their representation reads (assets, the state of their
    renditions, artist, category), unfiltered: callers apply visibility."""
    kind = kinds.kind_for(model)
    media = kind.media_field_names
    assets = kind.asset_fields
    related = [*assets, *kind.related_fields]
    # Unordered: Rendition.Meta.ordering would join the assets only to sort by them. The
    # state of each, and what a download entry shows of it.
    renditions = Rendition.objects.only(
        "id", "asset_id", "name", "kind", "status", *DOWNLOAD_COLUMNS
    ).order_by()
    # The streamed assets' transcripts (one join each) give captions_status and the
    # caption languages; their words and paragraphs are read only by the transcript route.
    transcripts = [f"{field}__transcript" for field in media]
    unshown = [
        *(f"{asset}__{column}" for asset in assets for column in UNSHOWN_ASSET_FIELDS),
        *(f"{t}__{column}" for t in transcripts for column in UNSHOWN_TRANSCRIPT_FIELDS),
    ]
    return (
        model.objects.select_related(*related, *transcripts)
        .defer(*unshown)
        .prefetch_related(
            *(Prefetch(f"{field}__renditions", queryset=renditions) for field in media)
        )
    )


def content_summary_queryset(*, model: type[Model]) -> QuerySet:
    """All rows of `model` with what their summary (ContentSummarySerializer: lists of picks)
    reads: the assets, the state of their renditions and the artist; no category and no
    transcripts, which only the full representation shows. Unfiltered."""
    kind = kinds.kind_for(model)
    renditions = Rendition.objects.only(
        "id", "asset_id", "name", "kind", "status", *DOWNLOAD_COLUMNS
    ).order_by()
    assets = kind.asset_fields
    return (
        model.objects.select_related(*assets, *(["artist"] if kind.has_artist else []))
        .defer(*(f"{asset}__{column}" for asset in assets for column in UNSHOWN_ASSET_FIELDS))
        .prefetch_related(
            *(Prefetch(f"{f}__renditions", queryset=renditions) for f in kind.media_field_names)
        )
    )


def content_visible(*, model: type[Model], user) -> QuerySet:
    return policies.visible_to(user, content_queryset(model=model))


def content_scope(queryset: QuerySet, *, user, status: str | None = None, mine: bool = False):
    """Narrow a visible queryset for a listing. By default a listing is the public catalogue
    (approved only); `mine` gives the caller's own items in every state; `status` picks a
    state, which on a visible queryset reaches only what the caller may see anyway (their
    own items, or everything for moderators)."""
    if mine:
        if not (user and user.is_authenticated):
            return queryset.none()
        queryset = queryset.filter(owner_id=user.pk)
    if status:
        return queryset.filter(status=status)
    if not mine:
        return queryset.filter(status=ModerationStatus.APPROVED)
    return queryset


def content_get_for_user(*, model: type[Model], user, pk) -> Model:
    """Fetch and authorize in one call; anything hidden from `user` is simply not found."""
    # Unordered: a primary-key lookup needs no ORDER BY (cheaper to build and to plan).
    found = list(content_visible(model=model, user=user).filter(pk=pk).order_by()[:1])
    if not found:
        raise NotFound()
    return found[0]


def content_trending(*, model: type[Model], days: int = TRENDING_DAYS) -> QuerySet:
    """Approved items by counted plays in the last `days` days (from PlayEvent)."""
    since = timezone.now() - timedelta(days=days)
    recent = (
        PlayEvent.objects.filter(
            content_type=type_of(model), object_id=OuterRef("pk"), played_at__gte=since
        )
        .order_by()
        .values("object_id")
        .annotate(plays=Count("id"))
        .values("plays")
    )
    return (
        content_queryset(model=model)
        .filter(status=ModerationStatus.APPROVED)
        .annotate(recent_plays=Coalesce(Subquery(recent, output_field=IntegerField()), 0))
        .filter(recent_plays__gt=0)
        .order_by("-recent_plays", "-play_count", "-id")
    )


def content_most_played(*, model: type[Model]) -> QuerySet:
    return (
        content_queryset(model=model)
        .filter(status=ModerationStatus.APPROVED)
        .order_by("-play_count", "-id")
    )


def content_map_for_user(*, user, refs: Iterable[tuple[str, int]]) -> dict:
    """{(type, id): object} for the references `user` may see, one query per type."""
    ids_by_type: dict[str, set[int]] = defaultdict(set)
    playable = {kind.name: kind.model for kind in kinds.playable_kinds()}
    for item_type, pk in refs:
        if item_type in playable:
            ids_by_type[item_type].add(pk)
    found = {}
    for item_type, ids in ids_by_type.items():
        model = playable[item_type]
        for obj in content_visible(model=model, user=user).filter(pk__in=ids):
            found[(item_type, obj.pk)] = obj
    return found


def _visible_reference_q(user) -> Q:
    """Rows holding (content_type, object_id) whose content `user` may still see."""
    condition = Q(pk__in=[])
    for kind in kinds.playable_kinds():
        visible = policies.visible_to(user, kind.model.objects.filter(pk=OuterRef("object_id")))
        condition |= Q(Exists(visible), content_type=kind.name)
    return condition


# --- categories ----------------------------------------------------------------------------


def category_list(*, user) -> QuerySet[Category]:
    categories = Category.objects.order_by("position", "name", "id")
    if policies.can_see_inactive_categories(user):
        return categories
    return categories.filter(is_active=True)


def category_get_for_user(*, user, pk) -> Category:
    category = category_list(user=user).filter(pk=pk).first()
    if category is None:
        raise NotFound()
    return category


# --- artists -------------------------------------------------------------------------------


def _approved_count(model: type[Model]) -> Coalesce:
    counts = (
        model.objects.filter(artist=OuterRef("pk"), status=ModerationStatus.APPROVED)
        .order_by()
        .values("artist")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def artist_list(*, user) -> QuerySet[Artist]:
    """Artists with their numbers of approved items and whether `user` follows them."""
    if user and user.is_authenticated:
        following = Exists(ArtistFollower.objects.filter(artist=OuterRef("pk"), user=user))
    else:
        following = Value(False, output_field=BooleanField())
    return (
        Artist.objects.select_related("cover_image")
        .annotate(
            podcasts_count=_approved_count(Podcast),
            movies_count=_approved_count(Movie),
            music_count=_approved_count(MusicTrack),
            is_following=following,
        )
        .order_by("name", "id")
    )


def artist_get(*, user, pk) -> Artist:
    artist = artist_list(user=user).filter(pk=pk).first()
    if artist is None:
        raise NotFound()
    return artist


def artist_followers(*, artist: Artist) -> QuerySet[ArtistFollower]:
    return (
        ArtistFollower.objects.filter(artist=artist)
        .select_related("user", "user__avatar")
        .order_by("-created_at", "-id")
    )


def artist_following(*, user) -> QuerySet[ArtistFollower]:
    return (
        ArtistFollower.objects.filter(user=user)
        .select_related("artist", "artist__cover_image")
        .order_by("-created_at", "-id")
    )


# --- playlists -----------------------------------------------------------------------------


def playlist_list(*, user, public: bool = False) -> QuerySet[Playlist]:
    """The caller's own playlists, or with `public` the public playlists of others."""
    playlists = Playlist.objects.select_related("owner", "cover_image").order_by(
        "-updated_at", "-id"
    )
    if public:
        playlists = playlists.filter(is_public=True)
        if user and user.is_authenticated:
            playlists = playlists.exclude(owner_id=user.pk)
        return playlists
    if not (user and user.is_authenticated):
        return playlists.none()
    return playlists.filter(owner_id=user.pk)


def playlist_get_for_user(*, user, pk) -> Playlist:
    playlist = (
        Playlist.objects.select_related("owner", "cover_image")
        .filter(policies.playlist_visibility_q(user), pk=pk)
        .first()
    )
    if playlist is None:
        raise NotFound()
    return playlist


def playlist_items_for_user(*, user, playlist: Playlist) -> list[PlaylistItem]:
    """The playlist's items in order, each with its content as `target`, leaving out those
    whose content `user` cannot see (one query for the items, one per kind present)."""
    items = list(PlaylistItem.objects.filter(playlist=playlist).order_by("position"))
    found = content_map_for_user(user=user, refs=((i.content_type, i.object_id) for i in items))
    visible = []
    for item in items:
        item.target = found.get((item.content_type, item.object_id))
        if item.target is not None:
            visible.append(item)
    return visible


def playlist_item_ids_for_user(*, user, playlist: Playlist) -> list[int]:
    """Ids of the items `user` sees, in order (what a reorder request must list)."""
    return list(
        PlaylistItem.objects.filter(_visible_reference_q(user), playlist=playlist)
        .order_by("position")
        .values_list("id", flat=True)
    )


# --- playback ------------------------------------------------------------------------------


def playback_history(*, user) -> QuerySet[PlaybackProgress]:
    """What the user played, most recent first, leaving out what they can no longer see."""
    return PlaybackProgress.objects.filter(_visible_reference_q(user), user=user).order_by(
        "-updated_at", "-id"
    )


def playback_in_progress(*, user) -> QuerySet[PlaybackProgress]:
    """Started and not finished: the "continue watching" row."""
    return playback_history(user=user).filter(position_seconds__gt=0, is_completed=False)
