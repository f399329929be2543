"""Typo tolerance on the embedded default (SQLite): the FTS5 trigram mirror of the lexicon,
fed by the moderation services and the lexicon rebuild, corrects query words as PostgreSQL's
pg_trgm does ("amzing grce" finds "Amazing Grace", "hymm" finds hymns)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.search_sqlite import edits, similarity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sqlite-search")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cnt.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "search" / "sqlite_search.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_typos_find_what_was_meant_on_sqlite(report):
    queries = report["queries"]
    assert queries["amzing grce"] == {"mode": "fuzzy", "hits": [["music", "Amazing Grace"]]}
    assert queries["hymm"]["mode"] == "fuzzy"
    assert sorted(map(tuple, queries["hymm"]["hits"])) == [
        ("music", "Amazing Grace"),  # tagged "hymn"
        ("podcast", "The Evening Hymn"),
    ]
    assert queries["prodgal"]["hits"] == [["movie", "The Prodigal Returns"]]


def test_words_spelled_right_match_as_substrings_and_nonsense_finds_nothing(report):
    queries = report["queries"]
    assert queries["grace"]["mode"] == "substring"
    assert ["music", "Amazing Grace"] in queries["grace"]["hits"]
    assert queries["zzzq"] == {"mode": "substring", "hits": []}
    # Pending content teaches the lexicon nothing: no correction towards its title.
    assert queries["wonderfull"] == {"mode": "substring", "hits": []}


def test_the_fts_index_follows_the_lexicon(report):
    # Fed by approvals (the services), never by pending content.
    assert {"amazing", "grace", "hymn", "evening", "prodigal"} <= set(report["indexed"])
    assert "wonderful" not in report["indexed"]
    after = report["after_rebuild"]
    assert "glorious" in after["indexed"] and "pending" not in after["indexed"]
    assert after["glorius"] == {"mode": "fuzzy", "hits": [["music", "Glorious Day"]]}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("hymm", "hymn", 1), ("fiath", "faith", 1), ("grce", "grace", 1), ("amzing", "amazing", 1)]
    + [("path", "fiath", 2), ("", "abc", 3), ("same", "same", 0)],
)
def test_edit_distance_counts_a_swap_as_one_slip(a, b, expected):
    assert edits(a, b) == expected


def test_similarity_is_pg_trgm_s():
    assert similarity("grace", "grace") == 1.0
    assert round(similarity("prodigl", "prodigal"), 2) == 0.55
    assert similarity("abc", "xyz") == 0.0
