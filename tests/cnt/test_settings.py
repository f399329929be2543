"""Production settings: secure, and refusing to start without their secrets."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env_overrides):
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "FINANCE_ENCRYPTION_KEYS"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(DJANGO_SETTINGS_MODULE="cnt.settings.production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "k7#Qp2vL9xR4tZ8mN1bW6cY3hJ5gF0dS-aE!uI@oP$lK^jH&gT*fD(sA)qW+eR=tY",
    "ALLOWED_HOSTS": "media.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cnt"),
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "FINANCE_ENCRYPTION_KEYS": "6nJgWmbkE0sX1m3oQe6mUZ7kN8cJ1HqfYt0VvJ8x2Xw=",
}


def test_deploy_check_passes_under_production_settings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    env["DATABASE_URL"] = ""
    result = _run(["check"], **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "DATABASE_URL" in result.stderr


def test_refresh_tokens_rotate_and_are_blacklisted():
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] is True
    assert settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"] is True
    assert "rest_framework_simplejwt.token_blacklist" in settings.INSTALLED_APPS


def test_celery_is_configured_for_idempotent_late_acked_work():
    from cnt.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
    assert app.amqp.router.route({}, "media.transcode_hls")["queue"].name == "media"
