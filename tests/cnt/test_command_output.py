"""Operator output of the project's management commands: help on every option, one clean
progress bar with log lines above it, a summary at the end, and no notification sent again
by a reprocess."""

import io
import logging
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, OutputWrapper

from cnt.notifications.models import Notification, NotificationType
from cnt.progress import command_progress
from media import services
from media.models import AssetStatus, MediaAsset
from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)


def project_commands() -> list[tuple[str, str]]:
    """(app, name) of every command defined by the project's own apps."""
    found = []
    for name, app in sorted(get_commands().items()):
        if isinstance(app, str) and not app.startswith("django") and "." not in app.split(".")[0]:
            module = __import__(app).__file__
            path = Path(module).resolve() if module else None
            # The project's own apps: under BASE_DIR, not an installed package (a
            # virtualenv may live under BASE_DIR too).
            if path and path.is_relative_to(BASE_DIR) and "site-packages" not in path.parts:
                found.append((app, name))
    return found


def test_the_project_has_its_long_commands():
    names = {name for _, name in project_commands()}
    assert {
        "seed_demo",
        "media_reprocess",
        "media_gc",
        "search_lexicon_rebuild",
        "rotate_finance_keys",
        "render_document_covers",
    } <= names


@pytest.mark.parametrize(("app", "name"), project_commands())
def test_every_option_of_every_project_command_has_help(app, name):
    command = load_command_class(app, name)
    assert command.help.strip(), f"{name} has no help text"
    parser = command.create_parser("manage.py", name)
    missing = [
        "/".join(action.option_strings) or action.dest
        for action in parser._actions
        if not (action.help or "").strip()
    ]
    assert missing == [], f"{name}: options without help: {missing}"


def test_log_lines_go_above_the_bar_and_never_through_it(capsys):
    logger = logging.getLogger("tests.progress")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("LOG %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    command = BaseCommand(stdout=io.StringIO(), stderr=OutputWrapper(sys.stderr))
    try:
        with command_progress(command, total=3, desc="work", unit="item") as progress:
            for index in range(3):
                logger.warning("item %s logged", index)
                progress.note(f"item {index} noted")
                progress.advance()
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    lines = [line.split("\r")[-1] for line in err.split("\n")]
    for index in range(3):
        # Each line whole, on a line of its own: the bar was lifted before it was written.
        assert f"LOG item {index} logged" in lines
        assert f"item {index} noted" in lines
    assert "work: 100%" in err and "3/3" in err


def _ready_audio(path):
    asset = services.asset_create_from_path(
        owner=UserFactory(), purpose="audio", path=path, filename="hymn.mp3"
    )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY
    return asset


@pytest.mark.django_db(transaction=True)
def test_reprocessing_everything_notifies_nobody_and_reports_work_done_here(tone_mp3):
    asset = _ready_audio(tone_mp3)
    ready = Notification.objects.filter(
        recipient_id=asset.owner_id, type=NotificationType.MEDIA_READY
    )
    assert ready.count() == 1
    first_processed_at = asset.processed_at

    out, err = io.StringIO(), io.StringIO()
    call_command("media_reprocess", "--all", stdout=out, stderr=err)
    call_command("media_reprocess", str(asset.id), stdout=io.StringIO(), stderr=io.StringIO())

    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY and asset.processed_at > first_processed_at
    assert ready.count() == 1
    assert "Queued" not in out.getvalue()
    assert "Reprocessed 1 asset in this process: 1 ready." in out.getvalue()
    assert "media_reprocess: 100%" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_reprocess_says_queued_when_a_worker_does_the_work(tone_mp3, monkeypatch):
    asset = _ready_audio(tone_mp3)
    sent = []
    from media.tasks import process_asset

    monkeypatch.setattr(process_asset.app.conf, "task_always_eager", False)
    monkeypatch.setattr(process_asset, "delay", lambda asset_id: sent.append(asset_id))
    out = io.StringIO()
    call_command("media_reprocess", "--all", stdout=out, stderr=io.StringIO())
    assert sent == [str(asset.id)]
    assert "Queued 1 asset for reprocessing" in out.getvalue()
    assert MediaAsset.objects.get(id=asset.id).status == AssetStatus.UPLOADED
