"""GET /api/v1/search: ranking, typo tolerance, approved only, bounds, the SQLite fallback."""

import pytest

from catalog import search as search_module
from catalog.lexicon import lexicon_rebuild
from catalog.models import SearchWord
from cnt.models import ModerationStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import ArtistFactory, AssetFactory, make

pytestmark = [pytest.mark.django_db]
APPROVED = ModerationStatus.APPROVED


def get(api_client, **params):
    response = api_client.get("/api/v1/search", params)
    assert response.status_code == 200, response.content
    return response.json()


def hits(body):
    return [(row["type"], row["title"]) for row in body["results"]]


@pytest.fixture
def catalogue(db):
    choir = ArtistFactory(name="Grace Choir")
    items = {
        "title": make(
            "music", title="Amazing Grace", owner=choir.user, status=APPROVED, tags=["hymn"]
        ),
        "tags": make("music", title="Morning Song", status=APPROVED, tags=["grace", "worship"]),
        "description": make(
            "podcast",
            title="Sunday Sermon",
            description="A talk about grace and forgiveness.",
            status=APPROVED,
        ),
        "artist": make("music", title="How Great Thou Art", owner=choir.user, status=APPROVED),
        "movie": make("movie", title="The Prodigal Returns", status=APPROVED),
        "pending": make("music", title="Grace Pending", status=ModerationStatus.PENDING),
        "rejected": make("podcast", title="Grace Rejected", status=ModerationStatus.REJECTED),
    }
    items["choir"] = choir
    # The factories write rows directly, past the services that feed the lexicon.
    lexicon_rebuild()
    return items


def test_ranking_weights_title_over_artist_and_tags_over_description(api_client, catalogue):
    body = get(api_client, q="grace")

    assert hits(body) == [
        ("music", "Amazing Grace"),  # title (A) and artist name (B)
        ("artist", "Grace Choir"),  # the artist's own name
        ("music", "How Great Thou Art"),  # artist name (B) ties with tags (B): newer first
        ("music", "Morning Song"),  # tags (B)
        ("podcast", "Sunday Sermon"),  # description (C)
    ]
    scores = [row["score"] for row in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert body["count"] == 5


def test_only_approved_content_is_found(api_client, catalogue):
    titles = {title for _, title in hits(get(api_client, q="grace pending rejected"))}
    titles |= {title for _, title in hits(get(api_client, q="grace"))}
    assert "Grace Pending" not in titles
    assert "Grace Rejected" not in titles


def test_every_search_result_is_public(api_client, catalogue):
    for query in ("grace", "pending", "rejected", "grase", "song", "the"):
        for row in get(api_client, q=query)["results"]:
            if row["type"] != "artist":
                assert row["title"] not in {"Grace Pending", "Grace Rejected"}


def test_prefixes_match_as_you_type(api_client, catalogue):
    assert ("music", "Amazing Grace") in hits(get(api_client, q="amaz"))
    assert hits(get(api_client, q="prodig"))[0] == ("movie", "The Prodigal Returns")


def test_stemming_matches_word_forms(api_client, catalogue):
    make("podcast", title="Praying Together", status=APPROVED)
    assert ("podcast", "Praying Together") in hits(get(api_client, q="pray"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amzing grce", ("music", "Amazing Grace")),
        ("prodigl", ("movie", "The Prodigal Returns")),
        ("How grat thou", ("music", "How Great Thou Art")),
        ("how graet thou", ("music", "How Great Thou Art")),  # swapped letters: by edits
    ],
)
def test_typos_are_corrected_against_the_lexicon(api_client, catalogue, query, expected):
    body = get(api_client, q=query)
    assert hits(body)[0] == expected
    assert body["mode"] == "fuzzy"


def test_only_the_nearest_look_alikes_are_searched(api_client, catalogue):
    make("music", title="Keeping the Faith", status=APPROVED)
    make("music", title="Path of Light", status=APPROVED)
    lexicon_rebuild()

    body = get(api_client, q="fiath")  # a swap away from faith, two edits from path

    assert body["mode"] == "fuzzy"
    assert hits(body) == [("music", "Keeping the Faith")]


def test_weak_full_text_matches_are_joined_by_look_alike_words(api_client, catalogue):
    # Full text finds "shepherd" only in a description (a low rank); the title with a typo
    # is found through the lexicon's look-alike word and ranks first.
    make("podcast", title="Psalm 23", description="The Lord is my shepherd.", status=APPROVED)
    make("music", title="The Good Sheperd", status=APPROVED)
    lexicon_rebuild()

    results = hits(get(api_client, q="shepherd"))

    assert results == [("music", "The Good Sheperd"), ("podcast", "Psalm 23")]


def test_type_filter(api_client, catalogue):
    assert {kind for kind, _ in hits(get(api_client, q="grace", type="podcast"))} == {"podcast"}
    assert hits(get(api_client, q="grace", type="artist")) == [("artist", "Grace Choir")]
    assert hits(get(api_client, q="grace", type="movie")) == []


def test_result_shape(api_client, catalogue):
    cover = AssetFactory(kind="image", content_type="image/jpeg", output_prefix="")
    track = catalogue["title"]
    type(track).objects.filter(pk=track.pk).update(thumbnail=cover, duration_seconds=300)

    row = get(api_client, q="amazing grace", type="music")["results"][0]

    assert set(row) == {
        "type",
        "id",
        "title",
        "description",
        "artist",
        "image_url",
        "image",
        "duration_seconds",
        "score",
        "moments",
    }
    assert row["moments"] == []  # music is not transcribed
    assert row["id"] == track.pk
    assert row["artist"] == {"id": catalogue["choir"].pk, "name": "Grace Choir"}
    assert row["duration_seconds"] == 300
    assert row["image_url"].startswith("http://testserver/media/s/")


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 101}, {"q": "grace", "type": "sermon"}],
)
def test_bad_queries_are_400(api_client, params):
    response = api_client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize(
    "query", ["a & b | !c", "grace:*", "'; drop table music_tracks; --", "<>()!&|:*", "___"]
)
def test_tsquery_syntax_is_harmless(api_client, catalogue, query):
    response = api_client.get("/api/v1/search", {"q": query})
    assert response.status_code == 200


def test_pagination_is_bounded(api_client, catalogue, monkeypatch):
    for n in range(7):
        make("music", title=f"Grace Note {n}", status=APPROVED)

    first = get(api_client, q="grace", page_size=3)
    second = get(api_client, q="grace", page_size=3, page=2)
    capped = get(api_client, q="grace", page_size=500)

    assert first["count"] == 12
    assert len(first["results"]) == 3 and first["next"] and first["previous"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert len(capped["results"]) == 12  # page_size capped at 50, all 12 fit
    assert api_client.get("/api/v1/search", {"q": "grace", "page": 99}).status_code == 404
    bad = api_client.get("/api/v1/search", {"q": "grace", "page": "x"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"page": ["A whole number from 1 is required."]}

    monkeypatch.setattr(search_module, "CANDIDATES", 4)
    broad = get(api_client, q="grace", type="music")
    assert broad["count"] == 4  # a broad term ranks a bounded candidate set


def test_query_count_is_bounded(api_client, catalogue, django_assert_max_num_queries):
    for n in range(30):
        make("music", title=f"Grace Note {n}", status=APPROVED)
        make("podcast", title=f"Grace Talk {n}", status=APPROVED)
    lexicon_rebuild()
    # The lexicon look-up, the page (artists and content in one query), one fetch per type
    # on it (music, podcast, artist); typos cost nothing more.
    with django_assert_max_num_queries(5):
        get(api_client, q="grace", page_size=50)
    with django_assert_max_num_queries(5):
        assert get(api_client, q="gracce notte", page_size=50)["count"] == 30
    # Words nothing has together: one more pass, ranking items with any of them.
    with django_assert_max_num_queries(6):
        assert get(api_client, q="gracce zzzqqq", page_size=50)["count"] > 0


@pytest.mark.parametrize("query", ["grace", "amaz", "prodigal returns", "sermon"])
def test_known_words_and_prefixes_are_not_corrected(api_client, catalogue, query):
    body = get(api_client, q=query)
    assert body["mode"] == "fulltext" and body["count"] > 0


def test_no_item_has_every_word_so_items_with_any_rank(api_client, catalogue):
    body = get(api_client, q="prodigal sermon")

    assert body["mode"] == "fuzzy"
    assert set(hits(body)) == {("movie", "The Prodigal Returns"), ("podcast", "Sunday Sermon")}


def test_nothing_found_is_an_empty_page(api_client, catalogue):
    body = get(api_client, q="xylophone")
    assert body["count"] == 0 and body["results"] == []


def test_approving_content_teaches_the_lexicon_its_words(api_client, catalogue):
    SearchWord.objects.all().delete()
    owner = UserFactory(username="psalmist")
    track = make("music", title="Tabernacle Hymnal", owner=owner, status=ModerationStatus.PENDING)
    assert get(api_client, q="tabernakle")["count"] == 0
    moderator = UserFactory()
    moderator.groups.add(moderators_group())

    response = client_for(moderator).post(f"/api/v1/admin/approve/music/{track.pk}")

    assert response.status_code == 200, response.content
    assert {"tabernacle", "hymnal"} <= set(SearchWord.objects.values_list("word", flat=True))
    assert hits(get(api_client, q="tabernakle")) == [("music", "Tabernacle Hymnal")]


def test_rebuilding_the_lexicon_drops_words_nothing_uses(catalogue):
    rejected = catalogue["movie"]
    type(rejected).objects.filter(pk=rejected.pk).update(status=ModerationStatus.REJECTED)
    SearchWord.objects.create(word="obsolete")
    before = set(SearchWord.objects.values_list("word", flat=True))

    added, removed = lexicon_rebuild()

    words = set(SearchWord.objects.values_list("word", flat=True))
    assert before - words == {"obsolete", "prodigal", "returns", "the"}
    assert (added, removed) == (0, 4)
    assert {"amazing", "grace", "choir", "hymn", "sermon"} <= words


def test_substring_fallback_when_not_on_postgresql(api_client, catalogue, monkeypatch):
    monkeypatch.setattr(search_module, "is_postgres", lambda: False)

    results = hits(get(api_client, q="grace"))

    assert results[0] in {("music", "Amazing Grace"), ("artist", "Grace Choir")}
    assert set(results) == {
        ("music", "Amazing Grace"),
        ("artist", "Grace Choir"),
        ("music", "How Great Thou Art"),
        ("music", "Morning Song"),
        ("podcast", "Sunday Sermon"),
    }


def test_the_rebuild_command_reports_its_progress(catalogue):
    from io import StringIO

    from django.core.management import call_command

    SearchWord.objects.all().delete()
    out = StringIO()

    call_command("search_lexicon_rebuild", stdout=out)

    text = out.getvalue()
    assert "Lexicon rebuilt from " in text and "3 music track" in text and "removed." in text
    assert {"amazing", "prodigal", "choir"} <= set(
        SearchWord.objects.values_list("word", flat=True)
    )
