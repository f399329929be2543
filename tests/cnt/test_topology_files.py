"""docker-compose.yml documents the topology `make cluster` runs (Procfile.cluster): the
same roles, the same queues as the task routes, and the infrastructure around them."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile.cluster").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def _queues(command: str) -> set[str]:
    match = re.search(r"-Q,? *\"?([a-z,]+)", command)
    return set(match.group(1).split(",")) if match else set()


def test_the_compose_file_has_every_role_of_the_cluster_and_its_infrastructure():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    procfile = _procfile()
    assert set(procfile) == {"web", "media", "default", "beat", "s3"}
    assert {
        "web",
        "media",
        "default",
        "beat",
        "s3",
        "postgres",
        "redis",
        "livekit",
        "proxy",
    } <= set(services)
    assert services["web"]["deploy"]["replicas"] == 2
    assert "--workers 2" in procfile["web"]
    for role in ("media", "default"):
        compose_queues = _queues(" ".join(services[role]["command"]))
        assert compose_queues == _queues(procfile[role]) == {role}
    # Every queue the tasks are routed to has a worker.
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {"default"} == {"media", "default"}
    assert services["beat"]["command"][:4] == ["celery", "-A", "cnt", "beat"]
    assert "8080:8080" in services["proxy"]["ports"]  # the CDN in front of S3
    assert (ROOT / "deploy/nginx.conf").read_text().count("proxy_cache media") == 1
