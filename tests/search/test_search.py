"""GET /api/v1/search: ranking, typo tolerance, approved only, bounds, the SQLite fallback."""

import pytest
from django.db import connection

from catalog import search as search_module
from cnt.models import ModerationStatus
from tests.moderation.factories import ArtistFactory, AssetFactory, make

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.moderation.urls")]
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
    ],
)
def test_typos_fall_back_to_trigram_similarity(api_client, catalogue, query, expected):
    assert hits(get(api_client, q=query))[0] == expected


def test_weak_full_text_matches_are_joined_by_trigram_matches(api_client, catalogue):
    # Full text finds "shepherd" only in a description (a low rank); the title with a typo
    # is found by trigram similarity and ranks first.
    make("podcast", title="Psalm 23", description="The Lord is my shepherd.", status=APPROVED)
    make("music", title="The Good Sheperd", status=APPROVED)

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
        "duration_seconds",
        "score",
    }
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
    assert api_client.get("/api/v1/search", {"q": "grace", "page": "x"}).status_code == 404

    monkeypatch.setattr(search_module, "CANDIDATES", 4)
    broad = get(api_client, q="grace", type="music")
    assert broad["count"] == 4  # a broad term ranks a bounded candidate set


def test_query_count_is_bounded(api_client, catalogue, django_assert_max_num_queries):
    for n in range(30):
        make("music", title=f"Grace Note {n}", status=APPROVED)
        make("podcast", title=f"Grace Talk {n}", status=APPROVED)
    # Artists, the page, one fetch per type on the page (music, podcast, artist).
    with django_assert_max_num_queries(5):
        get(api_client, q="grace", page_size=50)
    # The trigram fallback adds a page query in a transaction (savepoint, SET LOCAL,
    # query, release: the test itself runs inside a transaction).
    with django_assert_max_num_queries(9):
        get(api_client, q="gracce notte", page_size=50)


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


@pytest.mark.django_db(transaction=True)
def test_search_settings_do_not_leak_into_the_connection(api_client, catalogue):
    get(api_client, q="grace")
    get(api_client, q="amzing grce")

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold', true)")
        assert cursor.fetchone()[0] in (None, "", "0.6")
