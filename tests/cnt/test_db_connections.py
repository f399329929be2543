"""Database connections under ASGI: a burst of requests through the real ASGI application
leaves at most the pool's size open (before the pool, CONN_MAX_AGE=60, each request thread
kept a connection of its own until PostgreSQL refused everyone)."""

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BURST = 40


def open_connections(monitor) -> int:
    """Connections to this test database, but the monitor's own."""
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [connection.settings_dict["NAME"]],
    ).fetchone()
    return row[0]


async def burst(paths):
    from cnt.asgi import application

    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await asyncio.gather(*(client.get(path) for path in paths))


def test_a_burst_through_asgi_leaves_at_most_the_pool_open():
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as monitor:
        responses = asyncio.run(burst(["/ready/", "/api/v1/music"] * (BURST // 2)))
        left_open = open_connections(monitor)
    assert [r.status_code for r in responses] == [200] * BURST
    database = settings.DATABASES["default"]
    max_size = database["OPTIONS"].get("pool", {}).get("max_size")
    assert max_size is not None and 1 <= left_open <= max_size < BURST, (left_open, max_size)
    assert database["CONN_MAX_AGE"] == 0


def test_the_pool_serves_the_test_database():
    # The pool is built from the settings at its first connection: pytest-django's switch to
    # test_<name> must come before it, or tests would write to the real database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == connection.settings_dict["NAME"]
    assert connection.settings_dict["NAME"].startswith("test_")
    assert connection.pool.kwargs["dbname"] == connection.settings_dict["NAME"]


def database_url() -> str:
    """The URL of this test database, for a process of its own."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def run_python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh process with the settings as they are."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnt.settings", "LOG_LEVEL": "CRITICAL"}
    env.update(env_overrides)
    setup = "import django, json\ndjango.setup()\nfrom django.conf import settings\n"
    return subprocess.run(
        [sys.executable, "-c", setup + textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pool_size_and_timeout_come_from_the_environment():
    result = run_python(
        'print(json.dumps(settings.DATABASES["default"]["OPTIONS"]["pool"]))',
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE="3",
        DB_POOL_TIMEOUT="2.5",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"min_size": 1, "max_size": 3, "timeout": 2.5}


def test_a_persistent_connection_age_with_the_pool_refuses_to_start():
    result = run_python("", CONN_MAX_AGE="60")
    assert result.returncode != 0
    assert "CONN_MAX_AGE must be 0 with the connection pool" in result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DB_POOL_MIN_SIZE": "5", "DB_POOL_MAX_SIZE": "4"}, "DB_POOL_MAX_SIZE must be at least"),
        ({"DB_POOL_MAX_SIZE": "0", "DB_POOL_MIN_SIZE": "0"}, "DB_POOL_MAX_SIZE must be at least"),
        ({"DB_POOL_TIMEOUT": "0"}, "DB_POOL_TIMEOUT must be a positive"),
    ],
)
def test_a_pool_that_cannot_work_refuses_to_start(variables, message):
    result = run_python("", **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_without_the_pool_connections_close_after_each_request():
    # DB_POOL=false is for a pgbouncer in front: no pool in the process, nothing kept open.
    result = run_python(
        'db = settings.DATABASES["default"]\n'
        'print(json.dumps([db["CONN_MAX_AGE"], "pool" in db["OPTIONS"],'
        ' db["DISABLE_SERVER_SIDE_CURSORS"]]))',
        DB_POOL="false",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [0, False, True]


def test_a_request_that_finds_the_pool_exhausted_gets_a_503_not_a_hang():
    # One pooled connection, held by the main thread: a request waits DB_POOL_TIMEOUT for it,
    # then answers 503 with the error body (cnt/middleware.py).
    code = """
        import threading
        from django.db import connection
        from django.test import Client

        connection.ensure_connection()
        answers = []

        def request():
            response = Client().get("/api/v1/music")
            answers.append([response.status_code, response.json()["code"]])

        thread = threading.Thread(target=request)
        thread.start()
        thread.join(60)
        print(json.dumps(answers))
    """
    result = run_python(
        code,
        DATABASE_URL=database_url(),
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE="1",
        DB_POOL_TIMEOUT="0.5",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[503, "service_unavailable"]]
