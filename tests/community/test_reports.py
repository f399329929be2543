"""Reports hide a post or comment only when enough reporters in good standing made them:
a verified email and an account older than COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS. Every
report is still stored and shown to moderators."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import ModerationDecision
from cnt.models import ModerationStatus
from community import services
from community.models import Comment, CommunityPost, Report
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 3
    settings.COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL = True
    settings.COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS = 72


def make_post():
    return CommunityPost.objects.create(
        author=UserFactory(), body="Amen", status=ModerationStatus.APPROVED
    )


def fresh_unverified():
    return UserFactory(is_email_verified=False)


def report(user, post, reason="spam"):
    return client_for(user).post(f"/api/v1/community/posts/{post.pk}/report", {"reason": reason})


def test_three_fresh_unverified_accounts_cannot_hide_a_post():
    post = make_post()
    for _ in range(3):
        assert report(fresh_unverified(), post).status_code == 201

    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED
    assert Report.objects.filter(post=post).count() == 3  # kept for the moderators
    assert not ModerationDecision.objects.filter(object_id=post.pk, action="hide").exists()
    assert client_for(UserFactory()).get(f"/api/v1/community/posts/{post.pk}").status_code == 200


def test_verified_but_new_accounts_do_not_count():
    post = make_post()
    for _ in range(3):
        report(UserFactory(is_email_verified=True), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED


def test_old_but_unverified_accounts_do_not_count():
    post = make_post()
    old = timezone.now() - timedelta(days=30)
    for _ in range(3):
        report(UserFactory(is_email_verified=False, date_joined=old), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED


def test_reporters_in_good_standing_hide_the_post():
    post = make_post()
    report(fresh_unverified(), post)
    report(UserFactory(established=True), post)
    report(UserFactory(established=True), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED  # two count; the throwaway does not

    report(UserFactory(established=True), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.PENDING
    decision = ModerationDecision.objects.get(object_id=post.pk, action="hide")
    assert decision.reason == "Reported by 3 users."


def test_account_age_is_measured_against_the_setting(settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 1
    settings.COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS = 24
    post = make_post()
    report(UserFactory(date_joined=timezone.now() - timedelta(hours=23)), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.APPROVED
    report(UserFactory(date_joined=timezone.now() - timedelta(hours=25)), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.PENDING


def test_the_rules_are_settings(settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 2
    settings.COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL = False
    settings.COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS = 0
    post = make_post()
    report(fresh_unverified(), post)
    report(fresh_unverified(), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.PENDING


def test_staff_reports_always_count(settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 1
    post = make_post()
    report(UserFactory(is_staff=True, is_email_verified=False), post)
    post.refresh_from_db()
    assert post.status == ModerationStatus.PENDING


def test_comments_follow_the_same_rule(settings):
    settings.COMMUNITY_REPORT_HIDE_THRESHOLD = 2
    post = make_post()
    comment = Comment.objects.create(post=post, author=UserFactory(), body="buy pills")
    for _ in range(2):
        services.report_create(reporter=fresh_unverified(), reason="spam", comment=comment)
    comment.refresh_from_db()
    assert comment.is_hidden is False
    for _ in range(2):
        services.report_create(
            reporter=UserFactory(established=True), reason="spam", comment=comment
        )
    comment.refresh_from_db()
    assert comment.is_hidden is True


def test_moderators_see_every_report_and_which_ones_count(client, admin_user):
    post = make_post()
    throwaway, regular = fresh_unverified(), UserFactory(established=True)
    report(throwaway, post, reason="throwaway")
    report(regular, post, reason="regular")
    client.force_login(admin_user)

    response = client.get(reverse("admin:community_report_changelist"))

    assert response.status_code == 200
    rows = {r.reason: r.reporter_in_good_standing for r in response.context["cl"].result_list}
    assert rows == {"throwaway": False, "regular": True}
