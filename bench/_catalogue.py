"""The words of a realistic catalogue for bench/api.py: titles, descriptions, tags, genres
and artist names drawn from word lists. bench/_fill.py writes the rows (with COPY)."""

import random


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
