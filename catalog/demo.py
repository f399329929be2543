"""Demo catalogue: categories, artists and their followers, approved podcasts, music and
movies with generated media, a public playlist, and the search words they teach."""

from django.utils import timezone

from accounts.demo import CREATORS, LISTENERS
from catalog import moderation
from catalog.lexicon import lexicon_rebuild
from catalog.models import (
    Artist,
    ArtistFollower,
    Category,
    CategoryKind,
    Movie,
    MusicTrack,
    Playlist,
    PlaylistItem,
    Podcast,
)
from catalog.moderators import moderator_grant
from cnt.models import ModerationStatus
from media.demo import demo_audio, demo_image, demo_video
from media.models import AssetPurpose

CATEGORIES = [
    ("Sermons", "sermons", CategoryKind.PODCAST),
    ("Bible Study", "bible-study", CategoryKind.PODCAST),
    ("Worship", "worship", CategoryKind.MUSIC),
    ("Gospel", "gospel", CategoryKind.MUSIC),
    ("Faith Films", "faith-films", CategoryKind.MOVIE),
    ("Old Testament", "old-testament", CategoryKind.BIBLE),
    ("Testimonies", "testimonies", CategoryKind.COMMUNITY),
]
PODCASTS = [
    ("Walking by Faith", "pastor_james", "sermons", 1),
    ("The Good Shepherd", "pastor_james", "sermons", 2),
    ("Romans, Chapter 8", "pastor_james", "bible-study", 3),
    ("Prayer That Moves Mountains", "pastor_james", "sermons", 4),
]
TRACKS = [
    ("Amazing Grace", "grace_choir", "worship", "Hymns of Grace", 392),
    ("How Great Thou Art", "grace_choir", "worship", "Hymns of Grace", 440),
    ("Oh Happy Day", "grace_choir", "gospel", "Joyful Noise", 494),
    ("This Little Light", "grace_choir", "gospel", "Joyful Noise", 523),
]
MOVIES = [
    ("The Prodigal Returns", "kingdom_films", "faith-films", 2024),
    ("A Mustard Seed", "kingdom_films", "faith-films", 2025),
]


def demo_moderate(context, obj, *, approve: bool = True) -> None:
    """Put a new demo item through moderation as real content goes: submitted, then approved
    by the demo moderator, so its history shows the decisions its status rests on."""
    content_type = moderation.content_type_for(obj)
    moderation.content_submit(content_type=content_type, obj=obj, trusted=False)
    if approve:
        moderator = context.users["moderator"]
        moderation.content_approve(content_type=content_type, obj=obj, moderator=moderator)


# Published now, so approving the demo items tells their owners but starts no fan-out to the
# demo followers (that is for content going public for the first time).
def _published():
    return {"published_at": timezone.now()}


def _seed_categories(context):
    for position, (name, slug, kind) in enumerate(CATEGORIES):
        category, _ = context.get_or_create(
            Category, slug=slug, defaults={"name": name, "kind": kind, "position": position}
        )
        context.categories[slug] = category


def _seed_artists(context):
    for username, name, bio in CREATORS:
        artist, _ = context.get_or_create(
            Artist, user=context.users[username], defaults={"name": name, "bio": bio}
        )
        context.artists[username] = artist
    for username in LISTENERS:
        for artist in context.artists.values():
            context.get_or_create(ArtistFollower, artist=artist, user=context.users[username])
    for artist in context.artists.values():
        artist.followers_count = artist.follower_links.count()
        artist.save(update_fields=["followers_count"])


def _seed_podcasts(context):
    for title, creator, category, episode in PODCASTS:
        artist = context.artists[creator]
        podcast, created = context.get_or_create(
            Podcast,
            title=title,
            owner=artist.user,
            defaults={
                "artist": artist,
                "category": context.categories[category],
                "episode_number": episode,
                "description": f"Episode {episode} of the Sunday teaching series.",
            },
        )
        if created:
            podcast.audio = demo_audio(context, owner=artist.user, frequency=220 + 40 * episode)
            podcast.thumbnail = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.THUMBNAIL,
                text=title,
                color=(120, 60, 40),
            )
            podcast.duration_seconds = 4 if podcast.audio else 0
            podcast.save()
            # The last episode waits for a moderator, to show the approval queue.
            demo_moderate(context, podcast, approve=episode < 4)


def _seed_music(context):
    for number, (title, creator, category, album, tone) in enumerate(TRACKS, start=1):
        artist = context.artists[creator]
        track, created = context.get_or_create(
            MusicTrack,
            title=title,
            owner=artist.user,
            defaults={
                "artist": artist,
                "category": context.categories[category],
                "album": album,
                "genre": category.title(),
                "track_number": number,
                **_published(),
            },
        )
        if created:
            track.audio = demo_audio(context, owner=artist.user, frequency=tone)
            track.thumbnail = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.THUMBNAIL,
                text=album,
                color=(40, 110, 80),
            )
            track.duration_seconds = 4 if track.audio else 0
            track.save()
            demo_moderate(context, track)


def _seed_movies(context):
    for title, creator, category, year in MOVIES:
        artist = context.artists[creator]
        movie, created = context.get_or_create(
            Movie,
            title=title,
            owner=artist.user,
            defaults={
                "artist": artist,
                "category": context.categories[category],
                "release_year": year,
                "director": artist.name,
                **_published(),
            },
        )
        if created:
            movie.video = demo_video(context, owner=artist.user, purpose=AssetPurpose.VIDEO)
            movie.poster = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.MOVIE_POSTER,
                text=title,
                color=(70, 50, 120),
            )
            movie.duration_seconds = 3 if movie.video else 0
            movie.save()
            demo_moderate(context, movie)


def _seed_playlists(context):
    listener = context.users[LISTENERS[0]]
    playlist, created = context.get_or_create(
        Playlist,
        owner=listener,
        name="Morning Worship",
        defaults={"is_public": True, "description": "Songs to start the day."},
    )
    if created:
        tracks = MusicTrack.objects.filter(status=ModerationStatus.APPROVED).order_by("id")
        for position, track in enumerate(tracks):
            context.get_or_create(
                PlaylistItem,
                playlist=playlist,
                position=position,
                defaults={"content_type": "music", "object_id": track.pk},
            )
        playlist.items_count = playlist.items.count()
        playlist.save(update_fields=["items_count"])


def seed(context) -> None:
    # The demo moderator is made as any moderator is (manage.py grant_moderator).
    moderator_grant(user=context.users["moderator"])
    _seed_categories(context)
    _seed_artists(context)
    _seed_podcasts(context)
    _seed_music(context)
    _seed_movies(context)
    _seed_playlists(context)
    # Typo correction learns the demo words (approval adds them too; this also drops stale ones).
    lexicon_rebuild()
