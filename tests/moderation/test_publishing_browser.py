"""The Files page's upload in a real browser (headless Chromium via Playwright): the script
sends the form with XMLHttpRequest, shows progress and opens the page again when done."""

from django.urls import reverse
from playwright import sync_api

from catalog.models import Podcast
from media import samples
from media.models import AssetKind
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import AssetFactory, make
from tests.moderation.test_browser import open_page


def test_upload_with_progress_replaces_the_audio(
    transactional_db, live_server, tmp_path, monkeypatch
):
    from media import tasks

    queued = []  # processing is handed to the broker; the pipeline has its own tests
    monkeypatch.setattr(tasks.process_asset, "delay", lambda *args: queued.append(args))
    moderator = UserFactory(username="publisher", is_staff=True)
    moderator.groups.add(moderators_group())
    podcast = make("podcast", audio=AssetFactory())
    old_audio = podcast.audio_id
    tone = samples.make_tone(tmp_path / "new-sermon.mp3", seconds=1.0)
    url = reverse("admin:catalog_podcast_files", args=[podcast.pk])
    sent = []
    with sync_api.sync_playwright() as playwright:
        browser, page = open_page(playwright)
        try:
            page.on("request", lambda r: r.method == "POST" and sent.append(r.headers))
            page.goto(f"{live_server.url}/admin/login/?next={url}")
            page.fill("#id_username", "publisher")
            page.fill("#id_password", DEFAULT_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_load_state()  # the upload script has run
            page.set_input_files("#upload-audio", str(tone))
            with page.expect_navigation():
                page.click("#file-audio form[data-upload] button[type=submit]")
                page.wait_for_selector("#file-audio progress:not([hidden])")
            assert "New audio file uploaded" in page.inner_text("ul.messagelist")
        finally:
            browser.close()

    assert any(h.get("x-requested-with") == "XMLHttpRequest" for h in sent)
    podcast = Podcast.objects.get(pk=podcast.pk)
    assert podcast.audio_id != old_audio
    assert podcast.audio.kind == AssetKind.AUDIO
    assert podcast.audio.original_filename == "new-sermon.mp3"
    assert queued == [(str(podcast.audio_id),)]
