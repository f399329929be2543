"""What a newcomer and an operator meet first: a home page, a readiness probe that names
what fails without revealing where it lives, CORS for local web clients, configuration
mistakes stopped with one line, and a README that lists every production variable."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cnt.api import health
from cnt.settings.config import database_config, fernet_keys_problem

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_home_page_links_docs_admin_and_health(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for href in ('href="/api/docs/"', 'href="/admin/"', 'href="/health/"', 'href="/ready/"'):
        assert href in html


@pytest.mark.django_db
def test_ready_names_a_failing_check_without_hosts_or_ports(client, monkeypatch):
    def unreachable():
        raise OSError("connection to 10.1.2.3 port 5432 failed: refused")

    monkeypatch.setitem(health.CHECKS, "database", unreachable)
    response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "error"
    assert "10.1.2.3" not in response.content.decode()
    assert "5432" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://localhost:5173", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost.evil.example", False),
        ("https://evil.example", False),
    ],
)
def test_local_web_clients_may_call_the_api_outside_production(client, origin, allowed):
    response = client.options(
        "/api/v1/podcasts/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed


@pytest.mark.parametrize(
    "url, says",
    [
        ("not a url", "no known scheme"),
        ("postgres://db:port/name", "Port could not be cast"),
    ],
)
def test_a_wrong_database_url_says_what_to_fix(url, says):
    with pytest.raises(ImproperlyConfigured) as raised:
        database_config(url)
    assert says in str(raised.value)
    assert "postgres://USER:PASSWORD@HOST:5432/NAME" in str(raised.value)


def test_database_urls_that_are_fine_pass():
    assert database_config("postgres://u:p@db:5432/cnt")["HOST"] == "db"
    assert database_config("sqlite:////tmp/cnt.sqlite3")["ENGINE"].endswith("sqlite3")


def test_a_key_that_is_not_a_fernet_key_is_named():
    from cryptography.fernet import Fernet

    good = Fernet.generate_key().decode()
    assert fernet_keys_problem([good]) is None
    assert "key 2 is not a Fernet key" in fernet_keys_problem([good, "not-a-key"])


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_manage_py_stops_a_wrong_database_url_with_one_line():
    result = _manage("check", DATABASE_URL="not a url")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: DATABASE_URL")


def test_production_stops_a_bad_fernet_key_with_one_line():
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="cnt.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="api.example.org",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/cnt",
        FINANCE_ENCRYPTION_KEYS="not-a-key",
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and "FINANCE_ENCRYPTION_KEYS key 1" in lines[0]


def test_the_readme_names_every_variable_production_requires():
    tree = ast.parse((ROOT / "cnt" / "settings" / "production.py").read_text())
    required = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REQUIRED"
    )
    readme = (ROOT / "README.md").read_text()
    paragraph = re.search(r"Production refuses to start without (.+?)\.\n", readme, re.S)
    assert paragraph, "the README's production paragraph is missing"
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", paragraph.group(1)))
    assert set(required) <= named
