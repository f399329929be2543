"""Database connections under ASGI: a burst of requests through the real ASGI application
leaves at most the pool's size open (before the pool, CONN_MAX_AGE=60, each request thread
kept a connection of its own until PostgreSQL refused everyone)."""

import asyncio

import httpx
import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True)]

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
