"""A second language: API messages, emails and push texts in English or French, chosen by the
user's saved `language`, else Accept-Language (else the device's locale, for what is sent
outside a request)."""

import pytest
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cnt.i18n import language_for, supported
from cnt.notifications.models import Device, Notification
from cnt.notifications.services import notification_create, notification_fanout
from cnt.notifications.tasks import send_notification_email
from tests.cnt.test_notifications import FANOUT_QUERIES
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
PREFERENCES = "/api/v1/notifications/preferences"


def liked(name):
    return format_lazy(_("{name} liked your post"), name=name)


def test_supported_languages():
    assert supported("fr-CA") == "fr"
    assert supported("fr_FR") == "fr"
    assert supported("en-GB") == "en"
    assert supported("de") is None
    assert language_for(None, fallback="de") == "en"


def test_errors_follow_accept_language(api_client):
    UserFactory(username="joan")
    body = {"username": "joan", "password": "wrong-password"}
    french = api_client.post(LOGIN, body, format="json", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert french.status_code == 401
    assert french.json()["detail"] == "Identifiants incorrects."
    assert french.json()["code"] == "invalid_credentials"  # codes never change
    assert french["Content-Language"] == "fr"
    english = api_client.post(LOGIN, body, format="json", HTTP_ACCEPT_LANGUAGE="en-US")
    assert english.json()["detail"] == "Invalid credentials."
    assert english["Content-Language"] == "en"
    other = api_client.post(LOGIN, body, format="json", HTTP_ACCEPT_LANGUAGE="de-DE")
    assert other.json()["detail"] == "Invalid credentials."


def test_validation_messages_are_french_too(api_client):
    response = api_client.post(LOGIN, {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["errors"]["password"] == ["Ce champ est obligatoire."]


def test_a_saved_language_wins_over_accept_language():
    user = UserFactory(language="fr")
    response = client_for(user).put(
        PREFERENCES, [{"type": "nonsense"}], format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["0.type"] == ["«\xa0nonsense\xa0» n'est pas un choix valide."]
    assert response["Content-Language"] == "fr"


def test_choosing_a_language_on_me():
    user = UserFactory()
    client = client_for(user)
    response = client.patch(ME, {"language": "fr"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["language"] == "fr"
    assert response["Content-Language"] == "fr"
    user.refresh_from_db()
    assert user.language == "fr"
    bad = client.patch(ME, {"language": "de"}, format="json")
    assert bad.status_code == 400
    assert "language" in bad.json()["errors"]
    user.refresh_from_db()
    assert user.language == "fr"
    assert client.patch(ME, {"language": ""}, format="json").json()["language"] == ""


def test_notifications_are_written_in_the_recipients_language():
    french, english, undecided = UserFactory(language="fr"), UserFactory(), UserFactory()
    Device.objects.create(user=undecided, token="t-1", platform="ios", locale="fr-CA")
    with translation.override("en"):  # whoever acted spoke English
        for recipient in (french, english, undecided):
            notification_create(recipient=recipient, type="like", title=liked("Ana"))
    titles = {n.recipient_id: n.title for n in Notification.objects.all()}
    assert titles == {
        french.pk: "Ana a aimé votre publication",
        english.pk: "Ana liked your post",
        undecided.pk: "Ana a aimé votre publication",  # the phone's locale
    }


def test_a_fanout_writes_each_follower_in_their_language(django_assert_max_num_queries):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    title = format_lazy(_("New from {artist}: {title}"), artist="Grace Choir", title="Psalm 23")
    # The fan-out's own queries, plus one for the recipients' languages (two when some have
    # only a device locale).
    with translation.override("fr"), django_assert_max_num_queries(FANOUT_QUERIES + 2):
        notification_fanout(
            recipient_ids=[french.pk, english.pk], type="new_content", title=title, key="k-1"
        )
    titles = {n.recipient_id: n.title for n in Notification.objects.all()}
    assert titles == {
        french.pk: "Nouveau chez Grace Choir : Psalm 23",
        english.pk: "New from Grace Choir: Psalm 23",
    }


def test_notification_email_in_french(mailoutbox):
    user = UserFactory(language="fr", display_name="Joan")
    send_notification_email(user.pk, "Ana a aimé votre publication", "")
    body = mailoutbox[0].body
    assert body.startswith("Bonjour Joan,")
    assert "Ouvrez l’application CNT Media" in body
    assert "Open the CNT Media app" not in body
    html = mailoutbox[0].alternatives[0][0]
    assert "Bonjour Joan," in html


def test_otp_email_in_the_language_of_the_request(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="joan@example.com", is_email_verified=False, display_name="Joan")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/send-otp",
            {"email": "joan@example.com"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 200
    assert mailoutbox[0].subject == "Vérifiez votre adresse e-mail CNT Media"
    assert "Utilisez ce code pour vérifier votre adresse e-mail" in mailoutbox[0].body
    assert "Le code expire dans 10 minutes." in mailoutbox[0].body


def test_login_still_works_in_french(api_client):
    UserFactory(username="joan")
    response = api_client.post(
        LOGIN,
        {"username": "joan", "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert "access" in response.json()
