"""The two locked dependency sets: requirements.txt (runtime) and requirements-dev.txt
(runtime plus tests and tooling), compiled with hashes from the .in files (make lock)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)
DEV_ONLY = {"pytest", "pytest-django", "pytest-xdist", "ruff", "moto", "playwright"} | {
    "schemathesis",
    "daphne",
    "factory-boy",
    "import-linter",
    "pip-tools",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: str) -> dict[str, str]:
    return {norm(name): version for name, version in PIN.findall((ROOT / path).read_text())}


def locked_entries(path: str) -> list[str]:
    """Each package entry of a lock file: its pin line and its hash lines."""
    text = (ROOT / path).read_text()
    return [entry for entry in re.split(r"\n(?=[A-Za-z0-9])", text) if PIN.match(entry)]


def test_every_locked_package_is_pinned_with_hashes():
    for path in ("requirements.txt", "requirements-dev.txt"):
        entries = locked_entries(path)
        assert len(entries) > 50
        for entry in entries:
            assert "--hash=sha256:" in entry, f"{path}: {entry.splitlines()[0]} has no hash"
        assert "file:///" not in (ROOT / path).read_text()  # no machine's local index


def test_the_runtime_set_has_no_test_or_tooling_packages():
    assert DEV_ONLY & set(pins("requirements.txt")) == set()
    assert set(pins("requirements-dev.txt")) >= DEV_ONLY


def test_the_dev_set_includes_the_runtime_set_at_the_same_versions():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert "-r requirements.in" in (ROOT / "requirements-dev.in").read_text()


def test_the_locks_hold_what_the_in_files_ask_for():
    for source, lock in (("requirements.in", "requirements.txt"),) + (
        ("requirements-dev.in", "requirements-dev.txt"),
    ):
        wanted, locked = pins(source), pins(lock)
        assert {name: locked.get(name) for name in wanted} == wanted, source
