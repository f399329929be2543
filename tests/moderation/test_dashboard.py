"""The admin dashboard page: pending by kind and age, activity charts drawn as inline SVG,
storage used, failed media jobs and their retry through the media pipeline."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from catalog.admin.charts import _nice_ceiling, bar_chart
from catalog.models import PlayEvent
from media.models import AssetKind, AssetStatus, MediaAsset, Transcript, TranscriptStatus
from tests.factories import UserFactory
from tests.moderation.factories import AssetFactory, make
from tests.moderation.test_queue import EVERYTHING, staff_with

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/dashboard/"
RETRY = "/admin/dashboard/retry/"


@pytest.fixture
def moderator():
    return staff_with(*EVERYTHING, "media.view_mediaasset", "media.change_mediaasset")


@pytest.fixture
def console(client, moderator):
    client.force_login(moderator)
    return client


def ago(model, obj, field="created_at", **delta):
    model.objects.filter(pk=obj.pk).update(**{field: timezone.now() - timedelta(**delta)})


def failed_asset(**kwargs):
    return AssetFactory(status=AssetStatus.FAILED, error="FFmpeg could not decode", **kwargs)


def bars(svg: str) -> list[str]:
    return re.findall(r"<rect [^>]*><title>([^<]*)</title></rect>", svg)


def test_pending_by_kind_and_age(console):
    for hours in (0.5, 5, 30, 24 * 10):
        podcast = make("podcast")
        ago(type(podcast), podcast, hours=hours)
    make("movie")
    make("movie", status="approved")

    response = console.get(DASHBOARD)

    assert response.status_code == 200
    rows = {row["kind"]: (row["total"], row["buckets"]) for row in response.context["pending"]}
    assert rows["podcast"] == (4, [1, 1, 1, 1])
    assert rows["movie"] == (1, [1, 0, 0, 0])
    assert rows["music"] == (0, [0, 0, 0, 0])
    assert set(rows) == {"podcast", "movie", "music", "bible_story", "community_post"}


def test_activity_charts_are_inline_svg_with_every_day(console):
    today = timezone.localdate()
    for days_ago in (0, 0, 3):
        asset = AssetFactory()
        ago(MediaAsset, asset, days=days_ago)
    old = AssetFactory()
    ago(MediaAsset, old, days=40)  # outside the window
    play = PlayEvent.objects.create(content_type="podcast", object_id=1)
    ago(PlayEvent, play, field="played_at", days=1)

    response = console.get(DASHBOARD)

    charts = {chart["key"]: chart for chart in response.context["charts"]}
    uploads = bars(str(charts["uploads"]["svg"]))
    assert len(uploads) == 30
    assert uploads[-1] == f"{today:%Y-%m-%d}: 2"
    assert uploads[-4] == f"{today - timedelta(days=3):%Y-%m-%d}: 1"
    assert charts["uploads"]["total"] == 3
    assert charts["plays"]["total"] == 1
    assert bars(str(charts["plays"]["svg"]))[-2].endswith(": 1")
    joined_today = UserFactory._meta.model.objects.filter(date_joined__date=today).count()
    assert charts["new_users"]["total"] == joined_today
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart"') == 3
    assert "<script" not in html.split('id="dashboard"')[1]  # drawn on the server

    week = console.get(DASHBOARD, {"days": "7"})
    assert len(bars(str(week.context["charts"][0]["svg"]))) == 7
    assert console.get(DASHBOARD, {"days": "9999"}).context["days"] == 30


def test_storage_used_by_kind(console):
    AssetFactory(kind=AssetKind.VIDEO, size_bytes=5_000_000)
    AssetFactory(kind=AssetKind.AUDIO, size_bytes=2_000)
    AssetFactory(kind=AssetKind.AUDIO, size_bytes=3_000)

    response = console.get(DASHBOARD)

    assert response.context["storage"] == [
        {"kind": "video", "files": 1, "bytes": 5_000_000},
        {"kind": "audio", "files": 2, "bytes": 5_000},
    ]
    assert response.context["storage_total"] == 5_005_000
    assert "4.8\xa0MB of originals" in response.content.decode()


def test_dashboard_queries_do_not_grow(console, django_assert_max_num_queries):
    def fill():
        for kind in ("podcast", "movie", "music", "bible_story", "community_post"):
            make(kind)
        failed_asset()
        PlayEvent.objects.create(content_type="podcast", object_id=1)

    fill()
    with django_assert_max_num_queries(40) as few:
        console.get(DASHBOARD)
    for _ in range(5):
        fill()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert console.get(DASHBOARD).context["failed"]["assets_total"] == 6


def test_failed_assets_are_listed_and_retried_through_the_pipeline(
    console, moderator, django_capture_on_commit_callbacks
):
    broken, other = failed_asset(), failed_asset()
    MediaAsset.objects.filter(pk=broken.pk).update(processing_attempts=3)
    ready = AssetFactory()

    page = console.get(DASHBOARD)
    html = page.content.decode()
    assert page.context["failed"]["assets_total"] == 2
    assert f'name="asset" value="{broken.pk}"' in html and ">Retry</button>" in html

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = console.post(RETRY, {"asset": str(broken.pk)})

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    broken.refresh_from_db()
    other.refresh_from_db()
    assert (broken.status, broken.processing_attempts, broken.error) == ("uploaded", 0, "")
    assert other.status == AssetStatus.FAILED
    assert len(queued) == 1  # media.process_asset, after commit
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.user_id) == (str(broken.pk), moderator.pk)

    # A ready asset is not "failed": nothing to retry.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        console.post(RETRY, {"asset": str(ready.pk)})
        console.post(RETRY, {"asset": "not-a-uuid"})
    assert queued == []
    ready.refresh_from_db()
    assert ready.status == AssetStatus.READY

    with django_capture_on_commit_callbacks(execute=False) as queued:
        console.post(RETRY, {"all": "1"})
    other.refresh_from_db()
    assert other.status == AssetStatus.UPLOADED and len(queued) == 1


def test_failed_transcripts_are_retried(console, settings):
    settings.DEEPGRAM_API_KEY = "test-key"
    transcript = Transcript.objects.create(
        asset=AssetFactory(), status=TranscriptStatus.FAILED, error="timeout", attempts=5
    )
    assert console.get(DASHBOARD).context["failed"]["transcripts_total"] == 1

    console.post(RETRY, {"transcripts": "1"})

    transcript.refresh_from_db()
    assert (transcript.status, transcript.attempts, transcript.error) == ("pending", 0, "")


def test_retry_needs_the_asset_change_permission(client):
    broken = failed_asset()
    client.force_login(staff_with(*EVERYTHING))
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert ">Retry</button>" not in page.content.decode()
    assert client.post(RETRY, {"asset": str(broken.pk)}).status_code == 403
    broken.refresh_from_db()
    assert broken.status == AssetStatus.FAILED
    assert not LogEntry.objects.exists()


def test_no_dashboard_without_moderation_rights(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(DASHBOARD).status_code == 403
    client.force_login(UserFactory())
    assert client.get(DASHBOARD).status_code == 302  # to the admin login


def test_index_links_the_dashboard(console):
    html = console.get(reverse("admin:index")).content.decode()
    assert f'href="{DASHBOARD}"' in html


def test_chart_axis_and_escaping():
    assert [_nice_ceiling(n) for n in (0, 1, 3, 7, 11, 99, 101)] == [1, 1, 5, 10, 20, 100, 200]
    today = timezone.localdate()
    svg = str(bar_chart([(today, 3), (today, 0)], label="<b>plays</b>"))
    assert "<b>" not in svg and "&lt;b&gt;plays&lt;/b&gt;" in svg
    assert bars(svg) == [f"{today:%Y-%m-%d}: 3", f"{today:%Y-%m-%d}: 0"]
    assert 'height="0.0"' in svg  # an empty day draws no bar
