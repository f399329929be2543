"""What an operator sees inside: Prometheus metrics, request ids in logs and tasks, JSON logs,
and errors sent to Sentry's wire format."""

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cnt import observability
from cnt.celery import app as celery_app
from tests.catalog.factories import MediaAssetFactory, VideoAssetFactory

ROOT = Path(__file__).resolve().parents[2]


def _samples(text: str) -> dict:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return _samples(response.content.decode())


@pytest.mark.django_db
def test_requests_are_counted_by_route_never_by_raw_path(client):
    client.get("/health/")
    client.get("/api/v1/podcasts/987654321/")
    samples = _scrape(client)
    health = [
        value
        for (name, labels), value in samples.items()
        if name == "cnt_http_requests_total" and ("route", "/health/") in labels
    ]
    assert health and health[0] >= 1
    routes = {dict(labels).get("route") for (name, labels) in samples if "route" in dict(labels)}
    assert not any("987654321" in route for route in routes)
    assert any(name == "cnt_http_request_duration_seconds_count" for name, _ in samples)


@pytest.mark.django_db
def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    _scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret")


@pytest.mark.django_db
def test_production_serves_no_metrics_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_REQUIRE_TOKEN = True
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_queue_lengths_come_from_the_redis_broker(client, settings):
    url = settings.CACHES["default"]["LOCATION"]
    settings.CELERY_BROKER_URL = url
    broker = redis.Redis.from_url(url)
    broker.delete("media", "default")
    broker.rpush("media", "a", "b", "c")
    try:
        samples = _scrape(client)
    finally:
        broker.delete("media")
    assert samples[("cnt_celery_queue_length", (("queue", "media"),))] == 3
    assert samples[("cnt_celery_queue_length", (("queue", "default"),))] == 0


@pytest.mark.django_db
def test_the_transcode_realtime_factor_is_read_from_processed_assets(client):
    now = timezone.now()
    # 10 minutes of audio in 5 minutes, 2 minutes of video in 4 minutes.
    MediaAssetFactory(
        duration_seconds=600, processing_started_at=now - timedelta(minutes=5), processed_at=now
    )
    VideoAssetFactory(
        duration_seconds=120, processing_started_at=now - timedelta(minutes=4), processed_at=now
    )
    samples = _scrape(client)
    assert samples[("cnt_transcode_realtime_factor", (("kind", "audio"),))] == pytest.approx(2.0)
    assert samples[("cnt_transcode_realtime_factor", (("kind", "video"),))] == pytest.approx(0.5)


@pytest.mark.django_db
def test_each_response_carries_a_request_id(client):
    fresh = client.get("/health/")["X-Request-ID"]
    assert len(fresh) == 32
    assert client.get("/health/", HTTP_X_REQUEST_ID="edge-4f2a91c0")["X-Request-ID"] == (
        "edge-4f2a91c0"
    )
    forged = client.get("/health/", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x")
    assert forged["X-Request-ID"] != "bad id\r\nSet-Cookie: x"
    assert len(forged["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(settings):
    from logging.config import dictConfig

    config = json.loads(json.dumps(settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    dictConfig(config)
    try:
        handler = logging.getLogger().handlers[0]
        record = logging.LogRecord("cnt.test", logging.INFO, __file__, 1, "played %s", ("x",), None)
        token = observability.request_id_var.set("req-12345678")
        try:
            handler.filter(record)
            line = handler.format(record)
        finally:
            observability.request_id_var.reset(token)
    finally:
        dictConfig(settings.LOGGING)
    body = json.loads(line)
    assert body["message"] == "played x"
    assert body["request_id"] == "req-12345678"
    assert body["level"] == "INFO" and body["logger"] == "cnt.test"


@celery_app.task(name="tests.observability.echo_request_id")
def echo_request_id():
    return observability.request_id_var.get()


@celery_app.task(name="tests.observability.fails")
def fails():
    raise RuntimeError("boom")


def _count(name: str, outcome: str) -> float:
    return observability.TASKS.labels(name, outcome)._value.get()


def test_tasks_inherit_the_request_id_and_are_counted(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = _count("tests.observability.echo_request_id", "success")
    token = observability.request_id_var.set("req-abcdef12")
    try:
        assert echo_request_id.apply().get() == "req-abcdef12"
    finally:
        observability.request_id_var.reset(token)
    assert _count("tests.observability.echo_request_id", "success") == before + 1
    # Outside any request a task still gets an id of its own.
    assert len(echo_request_id.apply().get()) == 32


def test_a_failing_task_is_counted_as_a_failure():
    before = _count("tests.observability.fails", "failure")
    result = fails.apply(throw=False)  # as a worker runs it: the error is the task's state
    assert result.failed()
    assert _count("tests.observability.fails", "failure") == before + 1


def test_the_request_id_travels_in_the_message_headers():
    from celery import signals

    headers: dict = {}
    token = observability.request_id_var.set("req-99887766")
    try:
        signals.before_task_publish.send(sender="tests.any", headers=headers, body=())
    finally:
        observability.request_id_var.reset(token)
    assert headers["request_id"] == "req-99887766"


def test_open_websockets_are_counted_from_accept_to_close():
    seen = []

    async def app(scope, receive, send):
        await send({"type": "websocket.accept"})
        seen.append(observability.WEBSOCKETS_OPEN._value.get())
        await send({"type": "websocket.close", "code": 1000})

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        return None

    before = observability.WEBSOCKETS_OPEN._value.get()
    asyncio.run(observability.WebSocketGauge(app)({"type": "websocket"}, receive, send))
    assert seen == [before + 1]
    assert observability.WEBSOCKETS_OPEN._value.get() == before


class _SentryIngest(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "0"}')

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_when_a_dsn_is_set():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SentryIngest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SentryIngest.received = []
    marker = uuid.uuid4().hex
    script = (
        "import django, sentry_sdk; django.setup(); "
        f"sentry_sdk.capture_exception(ValueError('{marker}')); sentry_sdk.flush(5)"
    )
    env = {
        **os.environ,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
        "DJANGO_SETTINGS_MODULE": "cnt.settings",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    paths = [path for path, _ in _SentryIngest.received]
    assert "/api/42/envelope/" in paths
    assert any(marker.encode() in body for _, body in _SentryIngest.received)
