"""Accounts: sign-up, sign-in (password or Google), profile, avatar, password, deletion."""

import logging
import re
import secrets
from functools import partial

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import google, selectors
from accounts.models import EmailVerification, OtpPurpose, User
from accounts.services.otp import otp_issue
from accounts.services.tokens import (
    TokenPair,
    inactive_error,
    token_pair_issue,
    user_tokens_revoke_all,
)
from accounts.signals import avatar_released
from accounts.validators import (
    DELETED_EMAIL_DOMAIN,
    DELETED_USERNAME_PREFIX,
    EMAIL_TAKEN_MESSAGE,
    USERNAME_MAX_LENGTH,
    USERNAME_MESSAGES,
    USERNAME_MIN_LENGTH,
    username_problem,
)
from cnt.errors import InvalidInput, NotAuthenticated
from cnt.text import single_line

logger = logging.getLogger(__name__)

DELETED_DISPLAY_NAME = "Deleted user"


def _bad_credentials() -> NotAuthenticated:
    return NotAuthenticated(_("Invalid credentials."), code="invalid_credentials")


def _unique_field(exc: IntegrityError) -> str | None:
    """Which unique rule of the users table an IntegrityError broke, if any."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) or str(exc)
    if "users_email" in constraint:
        return "email"
    if "users_username" in constraint:
        return "username"
    return None


def _user_save(user: User, update_fields: list[str] | None = None) -> None:
    """Save, turning a lost race on email/username uniqueness into a 400 naming the field."""
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError as exc:
        field = _unique_field(exc)
        if field is None:
            raise
        message = EMAIL_TAKEN_MESSAGE if field == "email" else USERNAME_MESSAGES["taken"]
        raise InvalidInput(errors={field: [message]})


@transaction.atomic
def user_register(
    *, email: str, username: str, password: str, display_name: str = ""
) -> tuple[User, TokenPair]:
    """Create an account, email it a verification code after commit, and sign it in.

    The code sent here starts no resend cooldown: a cooldown only an existing address has
    would tell anyone asking send-otp which addresses have accounts."""
    user = User(
        email=User.objects.normalize_email(email.strip()),
        username=username,
        display_name=display_name.strip() or username,
    )
    user.set_password(password)
    _user_save(user)
    otp_issue(user=user, purpose=OtpPurpose.VERIFY_EMAIL)
    return user, token_pair_issue(user=user)


def user_login(*, identifier: str, password: str) -> tuple[User, TokenPair]:
    """Check an email-or-username and password; equal hashing work whether or not it exists."""
    user = selectors.user_get_by_identifier(identifier=identifier)
    if user is None or not user.has_usable_password():
        make_password(password)  # spend the hasher's time so a missing account is not faster
        raise _bad_credentials()
    if not user.check_password(password) or not user.is_active:
        raise _bad_credentials()
    update_last_login(None, user)
    return user, token_pair_issue(user=user)


def user_google_login(*, id_token: str) -> tuple[User, TokenPair, bool]:
    """Sign in with a Google ID token: link by verified email or create an account."""
    identity = google.verify_id_token(id_token)
    if not identity.email_verified:
        raise NotAuthenticated(
            _("Google has not verified this email address."), code="google_email_unverified"
        )
    for attempt in range(3):
        try:
            with transaction.atomic():
                user, created = _google_user_link_or_create(identity)
                update_last_login(None, user)
                return user, token_pair_issue(user=user), created
        except IntegrityError as exc:
            # A concurrent sign-up took the email or username: look again.
            if _unique_field(exc) is None or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _google_user_link_or_create(identity: google.GoogleIdentity) -> tuple[User, bool]:
    user = User.objects.select_for_update().filter(email__iexact=identity.email).first()
    if user is not None:
        if not user.is_active:
            raise inactive_error()
        if not user.is_email_verified:
            # Whoever registered this unverified address may not own it: their password
            # and sessions end now that Google proves who does.
            user.set_unusable_password()
            user.is_email_verified = True
            user.save(update_fields=["password", "is_email_verified", "updated_at"])
            user_tokens_revoke_all(user=user)
        return user, False
    username = _username_from_email(identity.email)
    user = User(
        email=User.objects.normalize_email(identity.email),
        username=username,
        display_name=single_line(identity.name or "")[:100] or username,
        is_email_verified=True,
    )
    user.set_unusable_password()
    user.save()  # a lost race raises IntegrityError; user_google_login looks again
    return user, True


def _username_from_email(email: str) -> str:
    """A free, valid username derived from the local part of an email address."""
    base = re.sub(r"[^A-Za-z0-9._-]", "", email.split("@", 1)[0])[: USERNAME_MAX_LENGTH - 5]
    if base.lower().startswith(DELETED_USERNAME_PREFIX):
        base = base[len(DELETED_USERNAME_PREFIX) :]
    if len(base) < USERNAME_MIN_LENGTH:
        base = f"{base}user"
    candidates = [base, *(f"{base}{secrets.randbelow(10_000):04d}" for _ in range(8))]
    for candidate in candidates:
        if username_problem(candidate) is None and not selectors.username_taken(username=candidate):
            return candidate
    return f"user-{secrets.token_hex(6)}"


def user_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    username: str | None = None,
    language: str | None = None,
    quality: str | None = None,
) -> User:
    """Change profile fields; a new username must already have passed the username rules."""
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if display_name is not None:
        user.display_name = display_name.strip()
        fields.append("display_name")
    if bio is not None:
        user.bio = bio.strip()
        fields.append("bio")
    if username is not None and username != user.username:
        user.username = username
        fields.append("username")
    if quality is not None and quality != user.quality:
        user.quality = quality
        fields.append("quality")
    if fields:
        _user_save(user, update_fields=[*fields, "updated_at"])
    return user


def user_password_change(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Replace the password (new one already validated); other sessions end, this one renews."""
    if not user.check_password(current_password):
        raise InvalidInput(errors={"current_password": [_("The current password is wrong.")]})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        user_tokens_revoke_all(user=user, reason="Password changed.")
        return token_pair_issue(user=user)


def user_delete(*, user: User) -> None:
    """Deactivate and anonymise an account; its content stays, its sessions end."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        previous_avatar_id = locked.avatar_id
        locked.is_active = False
        locked.deleted_at = timezone.now()
        locked.email = f"{DELETED_USERNAME_PREFIX}{locked.pk}@{DELETED_EMAIL_DOMAIN}"
        locked.username = f"{DELETED_USERNAME_PREFIX}{locked.pk}"
        locked.display_name = DELETED_DISPLAY_NAME
        locked.bio = ""
        locked.avatar = None
        locked.is_email_verified = False
        locked.set_unusable_password()
        locked.save()
        EmailVerification.objects.filter(user=locked).delete()
        user_tokens_revoke_all(user=locked, reason="Account deleted.")
        if previous_avatar_id:
            transaction.on_commit(
                partial(avatar_released.send, sender=User, asset_id=previous_avatar_id),
                robust=True,
            )
