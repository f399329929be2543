"""A moderator works the queue in a real browser (headless Chromium driven by Playwright):
rejects one podcast with a reason, approves another; the public API then shows only the
approved one. Needs Debian's chromium (`scripts/ensure-system.sh chromium`)."""

import shutil

import requests

from catalog.models import ModerationDecision, Podcast
from cnt.models import ModerationStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.moderation.conftest import moderators_group
from tests.moderation.factories import make

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# `make test` installs both (requirements.txt, scripts/ensure-system.sh chromium): a missing
# browser is a failure here, never a skip.
from playwright import sync_api  # noqa: E402


def test_chromium_is_installed():
    assert shutil.which(CHROMIUM), "run scripts/ensure-system.sh chromium"


def open_page(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.set_default_timeout(10_000)
    return browser, page


def test_moderator_rejects_and_approves_in_the_admin(transactional_db, live_server):
    moderator = UserFactory(username="mod", is_staff=True)
    moderator.groups.add(moderators_group())
    owner = UserFactory()
    keep = make("podcast", owner=owner, title="Sermon on the Mount")
    spam = make("podcast", owner=owner, title="Sermon Spam Offer")
    # Playwright's sync API runs an event loop in this thread: no ORM calls inside the block.
    with sync_api.sync_playwright() as playwright:
        browser, page = open_page(playwright)
        try:
            drive_the_console(page, live_server.url, keep_pk=keep.pk, spam_pk=spam.pk)
        finally:
            browser.close()

    keep.refresh_from_db()
    spam.refresh_from_db()
    assert keep.status == ModerationStatus.APPROVED
    assert (spam.status, spam.rejection_reason) == (
        ModerationStatus.REJECTED,
        "Advertising is not allowed.",
    )
    assert ModerationDecision.objects.filter(moderator=moderator).count() == 2

    # The public API: anonymous clients see the approved podcast and not the rejected one.
    api = f"{live_server.url}/api/v1"
    assert requests.get(f"{api}/podcasts/{keep.pk}", timeout=10).status_code == 200
    assert requests.get(f"{api}/podcasts/{spam.pk}", timeout=10).status_code == 404
    found = requests.get(f"{api}/search", params={"q": "sermon"}, timeout=10).json()
    assert [(row["type"], row["id"]) for row in found["results"]] == [("podcast", keep.pk)]
    assert set(Podcast.objects.filter(status=ModerationStatus.APPROVED)) == {keep}


def drive_the_console(page, base: str, *, keep_pk: int, spam_pk: int) -> None:
    # Log in and open the podcasts queue from the index.
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    queue_row = page.locator('#moderation-queue tr[data-content-type="podcast"]')
    assert queue_row.locator(".pending-count").inner_text() == "2"
    queue_row.locator("a").click()
    page.wait_for_url("**/admin/catalog/podcast/?status__exact=pending")

    # Reject one from the changelist: the bulk action asks for a reason first.
    page.check(f'input[name="_selected_action"][value="{spam_pk}"]')
    page.select_option('select[name="action"]', "reject_selected")
    page.click('button[name="index"]')
    page.fill('textarea[name="reason"]', "Advertising is not allowed.")
    page.click("#moderation-reject-submit")
    assert "1 item(s) rejected." in page.inner_text("ul.messagelist")

    # Approve the other from its change page, where the preview and the buttons are.
    page.goto(f"{base}/admin/catalog/podcast/{keep_pk}/change/")
    assert "Pending" in page.inner_text("#moderation-status")
    page.click("#moderation-approve")
    assert "1 item(s) approved." in page.inner_text("ul.messagelist")
    assert "0 podcasts" in page.inner_text("#changelist-form")
