"""A realistic catalogue for bench/api.py: music tracks with titles, descriptions, tags and
plays drawn from word lists, each streaming a processed audio asset (three HLS renditions
and a waveform), spread over a few hundred artists. Bulk inserts; about two minutes for
100k tracks."""

import random
import time
import uuid


def words(text: str) -> list[str]:
    return text.split()


ADJECTIVES = words(
    "amazing blessed broken bright calm eternal faithful gentle glorious golden gracious "
    "great holy humble joyful living loving mighty new quiet radiant redeemed rising sacred "
    "shining silent steadfast still sweet tender true victorious wonderful wondrous "
    "everlasting abundant merciful morning evening peaceful restless righteous sovereign "
    "unfailing endless hidden ancient open"
)
NOUNS = words(
    "grace love light heart hope faith river mountain shepherd kingdom glory mercy promise "
    "spirit fire rain morning night song psalm prayer throne cross savior lamb lion rock "
    "fortress refuge harbor valley garden city road journey home heaven wind water bread wine "
    "dove crown name voice word path story dawn praise hallelujah hosanna blessing covenant "
    "redemption freedom healing peace joy strength wisdom"
)
VERBS = words(
    "walking running singing praying waiting dancing rising resting trusting believing "
    "seeking following calling shouting kneeling"
)
PREPOSITIONS = words("in with through under beyond before above")
TAGS = words(
    "worship gospel hymn praise choir acoustic live instrumental piano organ contemporary "
    "traditional christmas easter youth kids prayer meditation sermon soul soulful upbeat "
    "slow choral a-cappella reggae afrobeat country rock"
)
GENRES = words("Worship Gospel Hymns Contemporary Choral Instrumental Praise")
FIRST = words(
    "grace faith hope joy mercy sarah david john mary ruth james paul esther daniel samuel "
    "hannah elijah naomi peter"
)
GROUPS = words("choir singers band collective ensemble worship voices family project")

RENDITIONS = [
    ("aac_256k", "hls_audio"),
    ("aac_128k", "hls_audio"),
    ("aac_64k", "hls_audio"),
    ("waveform", "waveform"),
]


def title(rng: random.Random) -> str:
    pattern = rng.randrange(6)
    a, n, n2 = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    if pattern == 0:
        return f"{a} {n}".title()
    if pattern == 1:
        return f"The {n} of {n2}".title()
    if pattern == 2:
        return f"{rng.choice(VERBS)} {rng.choice(PREPOSITIONS)} the {n}".title()
    if pattern == 3:
        return f"{a} {n} {rng.choice(['(Live)', '(Acoustic)', '(Reprise)', ''])}".strip().title()
    if pattern == 4:
        return f"{n} {rng.choice(PREPOSITIONS)} {n2}".title()
    return f"Oh {a} {n}".title()


def description(rng: random.Random, track_title: str) -> str:
    return (
        f"{track_title} is a {rng.choice(ADJECTIVES)} {rng.choice(GENRES).lower()} song about "
        f"{rng.choice(NOUNS)} and {rng.choice(NOUNS)}, recorded {rng.choice(PREPOSITIONS)} "
        f"the {rng.choice(NOUNS)}."
    )


def fill(tracks: int, seed: int = 7) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from catalog.lexicon import lexicon_rebuild
    from catalog.models import Artist, MusicTrack
    from media.models import MediaAsset, Rendition

    if MusicTrack.objects.count() >= tracks:
        print(f"reusing {MusicTrack.objects.count()} tracks")
        return
    rng = random.Random(seed)
    User = get_user_model()
    started = time.monotonic()
    creators = max(50, tracks // 200)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com", password="!")
            for i in range(creators)
        ],
        batch_size=1000,
    )
    names = set()
    while len(names) < creators:
        names.add(f"{rng.choice(FIRST).title()} {rng.choice(GROUPS).title()} {len(names)}")
    artists = Artist.objects.bulk_create(
        [Artist(user=u, name=name) for u, name in zip(users, sorted(names), strict=True)],
        batch_size=1000,
    )
    batch = []

    def flush(batch):
        # Every track streams a processed audio asset (three HLS renditions and a
        # waveform), as published tracks do, so responses carry real player URLs.
        assets = MediaAsset.objects.bulk_create(
            [
                MediaAsset(
                    owner_id=track.owner_id,
                    kind="audio",
                    purpose="audio",
                    status="ready",
                    storage_key=f"audio/bench/{uuid.uuid4()}.mp3",
                    content_type="audio/mpeg",
                    size_bytes=4_000_000,
                    duration_seconds=track.duration_seconds,
                    output_prefix=f"derived/bench/{uuid.uuid4()}",
                )
                for track in batch
            ]
        )
        Rendition.objects.bulk_create(
            [
                Rendition(asset=asset, name=name, kind=kind, status="ready", progress=1.0)
                for asset in assets
                for name, kind in RENDITIONS
            ]
        )
        for track, asset in zip(batch, assets, strict=True):
            track.audio = asset
        MusicTrack.objects.bulk_create(batch)

    for i in range(tracks):
        artist = artists[i % len(artists)]
        roll = rng.random()
        status = "approved" if roll < 0.9 else ("pending" if roll < 0.97 else "rejected")
        track_title = title(rng)
        batch.append(
            MusicTrack(
                title=track_title,
                description=description(rng, track_title),
                owner_id=artist.user_id,
                artist=artist,
                status=status,
                album=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}".title(),
                genre=rng.choice(GENRES),
                tags=rng.sample(TAGS, rng.randint(1, 3)),
                duration_seconds=rng.randint(120, 420),
                play_count=int(rng.paretovariate(1.2) * 10),
            )
        )
        if len(batch) == 5000:
            flush(batch)
            batch = []
            print(f"  {i + 1} tracks", end="\r", flush=True)
    if batch:
        flush(batch)
    with connection.cursor() as cursor:
        # Spread creation times so "newest first" is a real ordering, not a tie.
        cursor.execute(
            "UPDATE music_tracks SET created_at = now() - id * interval '1 minute', "
            "published_at = CASE WHEN status = 'approved' THEN now() - id * interval '1 minute' "
            "END"
        )
        cursor.execute("VACUUM ANALYZE")
    lexicon_rebuild()
    print(f"filled {tracks} tracks, {creators} artists in {time.monotonic() - started:.1f}s")
