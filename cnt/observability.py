"""Metrics, request ids in logs and tasks, and error tracking: how an operator sees inside.

- Prometheus metrics (prometheus-client) at /metrics: HTTP requests and their latency by
  route, Celery task durations and failures, open WebSockets, and what is read at scrape
  time (queue lengths here; apps add theirs with `scrape_collector`, e.g. the transcode
  realtime factor in media/metrics.py). With several processes on one machine (uvicorn
  workers, Celery workers) set PROMETHEUS_MULTIPROC_DIR to a directory they share, emptied
  at start; every process then writes there and any one of them serves the sum.
- A request id per HTTP request (X-Request-ID when the caller sent a sane one, else a new
  one), answered in X-Request-ID, added to every log record, and carried into the Celery
  tasks the request queues.
- Sentry through sentry-sdk when SENTRY_DSN is set (cnt/settings/base.py calls init_sentry).
"""

import contextvars
import logging
import os
import re
import time
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger("cnt.observability")

HTTP_REQUESTS = Counter(
    "cnt_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "cnt_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("cnt_celery_tasks_total", "Celery tasks run, by outcome.", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "cnt_celery_task_duration_seconds",
    "Time a Celery task ran.",
    ["task"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
)
WEBSOCKETS_OPEN = Gauge(
    "cnt_websockets_open", "WebSocket connections open now.", multiprocess_mode="livesum"
)

# --- request ids ---------------------------------------------------------------------------

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def new_request_id(offered: str | None = None) -> str:
    return offered if offered and _SANE_ID.match(offered) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the current request's or task's, "-" outside both) to records."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # never the raw path: its ids would make one series per item
    return "/" + str(match.route).lstrip("^").rstrip("$")


class ObservabilityMiddleware:
    """Outermost middleware: the request id, and the request counted and timed by route."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        route = _route(request)
        HTTP_SECONDS.labels(request.method, route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        response[REQUEST_ID_HEADER] = request_id
        return response


# --- Celery --------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def connect_celery() -> None:
    """Count and time every task, and carry the request id from publisher to worker."""
    from celery import signals

    signals.before_task_publish.connect(_add_request_id, weak=False)
    signals.task_prerun.connect(_task_prerun, weak=False)
    signals.task_postrun.connect(_task_postrun, weak=False)
    signals.task_failure.connect(_task_failure, weak=False)


def _add_request_id(headers=None, **kwargs):
    if headers is not None and "request_id" not in headers:
        headers["request_id"] = request_id_var.get()


def _task_prerun(task_id=None, task=None, **kwargs):
    _task_started[task_id] = time.perf_counter()
    if task is None:
        return
    # The publisher's id travels in the message headers; a task run in-process (eager)
    # already sits in its request's context; one queued outside any request gets its own.
    offered = getattr(task.request, "request_id", None)
    if not offered and request_id_var.get() != "-":
        offered = request_id_var.get()
    task.request.cnt_request_token = request_id_var.set(new_request_id(offered))


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)
    if state != "FAILURE":  # failures are counted by task_failure, which always fires
        TASKS.labels(name, str(state or "unknown").lower()).inc()
    token = getattr(task.request, "cnt_request_token", None) if task is not None else None
    if token is not None:
        request_id_var.reset(token)


def _task_failure(sender=None, task_id=None, **kwargs):
    name = getattr(sender, "name", "unknown")
    TASKS.labels(name, "failure").inc()
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


# --- WebSockets ----------------------------------------------------------------------------


class WebSocketGauge:
    """ASGI wrapper: counts WebSocket connections from accept to the end of the connection."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        accepted = False

        async def counted_send(message):
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKETS_OPEN.inc()
            return await send(message)

        try:
            return await self.app(scope, receive, counted_send)
        finally:
            if accepted:
                WEBSOCKETS_OPEN.dec()


# --- scrape-time collectors and /metrics ----------------------------------------------------

_scrape_collectors: list = []


def scrape_collector(collector):
    """Register an object with `collect()` read at each scrape (a gauge computed from the
    database or the broker); apps call it from AppConfig.ready()."""
    if collector not in _scrape_collectors:
        _scrape_collectors.append(collector)
    return collector


class QueueLengthCollector:
    """Messages waiting in each Celery queue on a Redis broker (nothing on other brokers)."""

    def collect(self):
        family = GaugeMetricFamily(
            "cnt_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        url = settings.CELERY_BROKER_URL or ""
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            try:
                for queue in metrics_queues():
                    family.add_metric([queue], client.llen(queue))
            except redis.RedisError as exc:
                logger.warning("queue lengths unavailable: %s", exc)
            finally:
                client.close()
        yield family


def metrics_queues() -> list[str]:
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            queues.add(route["queue"])
    return sorted(queues)


scrape_collector(QueueLengthCollector())


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Process(REGISTRY))
    for collector in _scrape_collectors:
        registry.register(collector)
    return registry


class _Process:
    """This process's registry, as one collector of the scrape's registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def metrics_view(request):
    """GET /metrics in Prometheus' text format. With METRICS_TOKEN set it needs
    `Authorization: Bearer <token>`; production serves it only when a token is set."""
    token = settings.METRICS_TOKEN
    if token:
        if request.headers.get("Authorization", "") != f"Bearer {token}":
            response = HttpResponse("A valid metrics token is required.\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif settings.METRICS_REQUIRE_TOKEN:
        raise Http404
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)


# --- Sentry --------------------------------------------------------------------------------


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
