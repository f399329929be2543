"""The queue's keyboard shortcuts in a real browser (headless Chromium via Playwright):
j moves to the next item, a approves it, r focuses the reason and Ctrl+Enter rejects."""

from datetime import timedelta

from django.utils import timezone
from playwright import sync_api

from catalog.models import Podcast
from cnt.models import ModerationStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import make
from tests.moderation.test_browser import open_page


def test_keyboard_works_the_queue(transactional_db, live_server):
    moderator = UserFactory(username="keys", is_staff=True)
    moderator.groups.add(moderators_group())
    first, second, third = (make("podcast", title=f"Talk {n}") for n in range(3))
    for hours, item in zip((3, 2, 1), (first, second, third), strict=True):
        Podcast.objects.filter(pk=item.pk).update(
            created_at=timezone.now() - timedelta(hours=hours)
        )
    with sync_api.sync_playwright() as playwright:
        browser, page = open_page(playwright)
        try:
            page.goto(f"{live_server.url}/admin/login/?next=/admin/moderation/queue/")
            page.fill("#id_username", "keys")
            page.fill("#id_password", DEFAULT_PASSWORD)
            page.click("input[type=submit]")
            assert page.get_attribute("#queue-current", "data-key") == f"podcast:{first.pk}"
            page.wait_for_load_state()  # the shortcuts' script has run
            page.keyboard.press("j")
            page.wait_for_url(f"**item=podcast%3A{second.pk}")
            page.wait_for_load_state()
            page.keyboard.press("a")  # approve the second: the third opens next
            page.wait_for_url(f"**item=podcast%3A{third.pk}")
            assert "1 item(s) approved." in page.inner_text("ul.messagelist")
            page.wait_for_load_state()
            page.keyboard.press("r")
            page.keyboard.type("Not a sermon.")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector("ul.messagelist")
            assert "1 item(s) rejected." in page.inner_text("ul.messagelist")
            # Only the first is left, and it is the current item.
            assert page.get_attribute("#queue-current", "data-key") == f"podcast:{first.pk}"
        finally:
            browser.close()

    statuses = dict(Podcast.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: ModerationStatus.PENDING,
        second.pk: ModerationStatus.APPROVED,
        third.pk: ModerationStatus.REJECTED,
    }
    assert Podcast.objects.get(pk=third.pk).rejection_reason == "Not a sermon."
