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
from media.demo import demo_film, demo_image, demo_melody, demo_speech
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
    ("Rough Cut: Youth Night", "pastor_james", "sermons", 5),
]
# What each episode says (espeak-ng reads it: real words for transcripts and search).
SERMONS = {
    "Walking by Faith": [
        "Brothers and sisters, welcome to this morning's word.",
        "Now faith is the substance of things hoped for, the evidence of things not seen.",
        "Walking by faith means taking the next step before we see the whole road.",
    ],
    "The Good Shepherd": [
        "The Lord is my shepherd, I shall not want.",
        "Jesus said, I am the good shepherd. The good shepherd lays down his life for the sheep.",
        "He knows each of us by name, and he goes looking for the one who is lost.",
    ],
    "Romans, Chapter 8": [
        "There is therefore now no condemnation for those who are in Christ Jesus.",
        "Neither death nor life, nor angels, nor things present, nor things to come,",
        "shall be able to separate us from the love of God.",
    ],
    "Prayer That Moves Mountains": [
        "Have faith in God, Jesus told his disciples.",
        "Whoever says to this mountain, be taken up and thrown into the sea, and does not doubt,",
        "and when you stand praying, forgive, if you have anything against anyone.",
    ],
    "Rough Cut: Youth Night": ["Testing, testing, one two three.", "Is this thing on?"],
}
# Demo items in every moderation state: the last episode waits, the rough cut was refused.
PENDING = {"Prayer That Moves Mountains", "A Mustard Seed", "This Little Light"}
REJECTED = {
    "Rough Cut: Youth Night": "The recording is a sound check, not an episode.",
    "Behind the Scenes (unfinished)": "The film is unfinished: please upload the final cut.",
}
# Tunes as note:beats (see media/demo_media.melody).
TRACKS = [
    ("Amazing Grace", "grace_choir", "worship", "Hymns of Grace",
     "D4:1 G4:2 B4:0.5 G4:0.5 B4:2 A4:1 G4:2 E4:1 D4:2 D4:1 G4:2 B4:0.5 G4:0.5 B4:2 A4:1 D5:5"),
    ("How Great Thou Art", "grace_choir", "worship", "Hymns of Grace",
     "G4:1 G4:1 G4:1 B4:1 D5:2 D5:2 C5:1 A4:1 B4:1 C5:1 B4:4 G4:1 G4:1 A4:1 B4:1 A4:4"),
    ("Oh Happy Day", "grace_choir", "gospel", "Joyful Noise",
     "C5:1 A4:1 C5:2 R:1 C5:1 A4:1 C5:2 R:1 D5:1 C5:1 A4:1 G4:1 F4:3 R:1 F4:1 G4:1 A4:4"),
    ("This Little Light", "grace_choir", "gospel", "Joyful Noise",
     "G4:1 G4:1 G4:1 E4:1 G4:1 A4:1 G4:2 E4:1 D4:1 C4:2 R:1 E4:1 G4:1 C5:1 B4:1 A4:1 G4:4"),
]  # fmt: skip
MOVIES = [
    ("The Prodigal Returns", "kingdom_films", "faith-films", 2024),
    ("A Mustard Seed", "kingdom_films", "faith-films", 2025),
    ("Behind the Scenes (unfinished)", "kingdom_films", "faith-films", 2025),
]
NARRATION = {
    "The Prodigal Returns": [
        "A father waits at the gate, every evening, looking down the road.",
        "While his son was still a long way off, his father saw him and ran to him.",
    ],
    "A Mustard Seed": [
        "The kingdom of heaven is like a mustard seed, the smallest of all seeds.",
        "Yet when it grows, the birds come and nest in its branches.",
    ],
    "Behind the Scenes (unfinished)": ["Scene one, take three."],
}


def demo_seconds(asset) -> int:
    """The length an item shows, from its media as probed at upload (0 without media)."""
    return round(asset.duration_seconds or 0) if asset is not None else 0


def demo_moderate(context, obj, *, pending=(), rejected=None, waiting=False) -> None:
    """Put a new demo item through moderation as real content goes: submitted, then approved
    by the demo moderator, so its history shows the decisions its status rests on. Items
    titled in `pending` (or `waiting`) stay waiting; those in `rejected` (title -> reason)
    are refused with the reason."""
    content_type = moderation.content_type_for(obj)
    moderation.content_submit(content_type=content_type, obj=obj, trusted=False)
    title = getattr(obj, "title", None)
    if waiting or title in pending:
        return
    moderator = context.users["moderator"]
    reason = (rejected or {}).get(title)
    if reason:
        moderation.content_reject(
            content_type=content_type, obj=obj, moderator=moderator, reason=reason
        )
    else:
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
            podcast.audio = demo_speech(context, owner=artist.user, paragraphs=SERMONS[title])
            podcast.thumbnail = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.THUMBNAIL,
                text=title,
                subtitle=f"{artist.name} · Episode {episode}",
                color=(150, 80, 50),
            )
            podcast.duration_seconds = demo_seconds(podcast.audio)
            podcast.save()
            demo_moderate(context, podcast, pending=PENDING, rejected=REJECTED)


def _seed_music(context):
    for number, (title, creator, category, album, tune) in enumerate(TRACKS, start=1):
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
            track.audio = demo_melody(context, owner=artist.user, tune=tune)
            track.thumbnail = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.THUMBNAIL,
                text=album,
                subtitle=artist.name,
                color=(40, 120, 90),
            )
            track.duration_seconds = demo_seconds(track.audio)
            track.save()
            demo_moderate(context, track, pending=PENDING)


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
            movie.video = demo_film(
                context,
                owner=artist.user,
                purpose=AssetPurpose.VIDEO,
                title=title,
                narration=NARRATION[title],
                color=(90, 60, 140),
                seconds=4.0 if title in PENDING or title in REJECTED else 12.0,
            )
            movie.poster = demo_image(
                context,
                owner=artist.user,
                purpose=AssetPurpose.MOVIE_POSTER,
                text=title,
                subtitle=f"{artist.name} · {year}",
                color=(90, 60, 140),
                size=(1000, 1500),
            )
            movie.duration_seconds = demo_seconds(movie.video)
            movie.save()
            demo_moderate(context, movie, pending=PENDING, rejected=REJECTED)


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
