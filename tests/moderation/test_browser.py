"""The moderation console in a real browser (headless Chromium driven by Playwright), as a
moderator made by `grant_moderator`, not a superuser: from the queue, play an item, reject
one with a reason, approve another, answer a support ticket, and find all of it in Recent
actions; the public API then shows the approved item and not the rejected one. Needs
Debian's chromium (`scripts/ensure-system.sh chromium`)."""

import io
import shutil

import requests
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import User
from catalog.models import ModerationDecision, Podcast
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification, NotificationType
from media.models import AssetKind
from support import services as support_services
from support.models import SupportStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.moderation.factories import AssetFactory, make

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
TIMEOUT_MS = 10_000

# `make test` installs both (requirements.txt, scripts/ensure-system.sh chromium): a missing
# browser is a failure here, never a skip.
from playwright import sync_api  # noqa: E402


def test_chromium_is_installed():
    assert shutil.which(CHROMIUM), "run scripts/ensure-system.sh chromium"


def open_page(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return browser, page


def test_a_granted_moderator_works_the_console_end_to_end(
    transactional_db, live_server, tone_mp3, mailoutbox
):
    UserFactory(username="mod")
    call_command("grant_moderator", "mod", stdout=io.StringIO())
    moderator = User.objects.get(username="mod")
    assert moderator.is_staff and not moderator.is_superuser
    owner = UserFactory()
    key = f"audio/{owner.pk}/sermon.mp3"
    default_storage.save(key, io.BytesIO(tone_mp3.read_bytes()))
    audio = AssetFactory(
        owner=owner, kind=AssetKind.AUDIO, storage_key=key, output_prefix="", duration_seconds=5
    )
    keep = make("podcast", owner=owner, title="Sermon on the Mount", audio=audio)
    spam = make("podcast", owner=owner, title="Sermon Spam Offer")
    asker = UserFactory()
    ticket = support_services.ticket_open(
        user=asker, subject="Cannot find the sermon", message="Where is it?", category="content"
    )
    # Playwright's sync API runs an event loop in this thread: no ORM calls inside the block.
    with sync_api.sync_playwright() as playwright:
        browser, page = open_page(playwright)
        try:
            drive_the_console(
                page, live_server.url, keep_pk=keep.pk, spam_pk=spam.pk, ticket_pk=ticket.pk
            )
        finally:
            browser.close()

    keep.refresh_from_db()
    spam.refresh_from_db()
    ticket.refresh_from_db()
    assert keep.status == ModerationStatus.APPROVED
    assert (spam.status, spam.rejection_reason) == (
        ModerationStatus.REJECTED,
        "Advertising is not allowed.",
    )
    assert ModerationDecision.objects.filter(moderator=moderator).count() == 2
    assert (ticket.status, ticket.responded_by) == (SupportStatus.ANSWERED, moderator)
    assert Notification.objects.filter(recipient=asker, type=NotificationType.SUPPORT_REPLY)

    # The public API: anonymous clients see the approved podcast and not the rejected one.
    api = f"{live_server.url}/api/v1"
    assert requests.get(f"{api}/podcasts/{keep.pk}", timeout=10).status_code == 200
    assert requests.get(f"{api}/podcasts/{spam.pk}", timeout=10).status_code == 404
    listed = requests.get(f"{api}/podcasts", timeout=10).json()["results"]
    assert [row["id"] for row in listed] == [keep.pk]
    found = requests.get(f"{api}/search", params={"q": "sermon"}, timeout=10).json()
    assert [(row["type"], row["id"]) for row in found["results"]] == [("podcast", keep.pk)]
    assert set(Podcast.objects.filter(status=ModerationStatus.APPROVED)) == {keep}


def drive_the_console(page, base: str, *, keep_pk: int, spam_pk: int, ticket_pk: int) -> None:
    expect = sync_api.expect
    # Log in (a moderator, not a superuser) and open the podcasts queue from the index.
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("input[type=submit]")
    queue_row = page.locator('#moderation-queue tr[data-content-type="podcast"]')
    expect(queue_row.locator(".pending-count")).to_have_text("2")
    queue_row.locator("a").click()
    page.wait_for_url("**/admin/catalog/podcast/?status__exact=pending")

    # Play the one with audio from its change page: the signed original streams.
    page.click(f'#result_list a[href*="/podcast/{keep_pk}/change/"]')
    player = page.locator("audio")
    expect(player).to_have_count(1)
    player.evaluate("audio => audio.play()")
    page.wait_for_function(
        "() => { const a = document.querySelector('audio'); return a.currentTime > 0.2; }"
    )

    # Reject the other from the queue: the bulk action asks for a reason first.
    page.goto(f"{base}/admin/catalog/podcast/?status__exact=pending")
    page.check(f'input[name="_selected_action"][value="{spam_pk}"]')
    page.select_option('select[name="action"]', "reject_selected")
    page.click('button[name="index"]')
    page.fill('textarea[name="reason"]', "Advertising is not allowed.")
    page.click("#moderation-reject-submit")
    expect(page.locator("ul.messagelist")).to_contain_text("1 item(s) rejected.")

    # Approve the first from its change page; approved, it offers no second Approve.
    page.goto(f"{base}/admin/catalog/podcast/{keep_pk}/change/")
    expect(page.locator("#moderation-status")).to_contain_text("Pending")
    page.click("#moderation-approve")
    expect(page.locator("ul.messagelist")).to_contain_text("1 item(s) approved.")
    expect(page.locator("#changelist-form")).to_contain_text("0 podcasts")
    page.goto(f"{base}/admin/catalog/podcast/{keep_pk}/change/")
    expect(page.locator("#moderation-status")).to_contain_text("Approved")
    expect(page.locator("#moderation-approve")).to_have_count(0)

    # Answer the support ticket from its page.
    page.goto(f"{base}/admin/support/supportmessage/")
    page.click(f'#result_list a[href*="/supportmessage/{ticket_pk}/change/"]')
    page.fill('textarea[name="reply"]', "It is on the podcasts page now.")
    page.click('input[name="_save"]')
    expect(page.locator("ul.messagelist")).to_contain_text("Reply sent to the user.")

    # Recent actions on the index list all three decisions.
    page.goto(f"{base}/admin/")
    recent = page.locator("#recent-actions-module")
    expect(recent).to_contain_text("Sermon on the Mount")
    expect(recent).to_contain_text("Sermon Spam Offer")
    expect(recent).to_contain_text("Cannot find the sermon")
