"""One-time email codes (verify_email, password_reset) and the password reset they allow."""

import hashlib
import hmac
import math
import secrets
import time
from datetime import timedelta
from functools import partial

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.exceptions import OtpError
from accounts.models import EmailVerification, OtpPurpose, User
from accounts.services.tokens import user_tokens_revoke_all
from accounts.tasks import send_otp_email
from cnt.errors import InvalidInput, RateLimited
from cnt.i18n import language_for

OTP_DIGITS = 6
OTP_TTL = timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_SECONDS = 60


def _otp_email_key(email: str) -> str:
    return email.strip().lower()


def _otp_hash(*, email: str, purpose: str, code: str) -> str:
    value = f"{purpose}:{_otp_email_key(email)}:{code}"
    return salted_hmac("accounts.otp", value, algorithm="sha256").hexdigest()


def _otp_cooldown_key(*, email: str, purpose: str) -> str:
    digest = hashlib.sha256(_otp_email_key(email).encode()).hexdigest()[:32]
    return f"otp:cooldown:{purpose}:{digest}"


def _otp_cooldown_claim(*, email: str, purpose: str) -> None:
    """Atomically take the resend slot of an address, whether or not it has an account: only
    send-otp itself takes it, so known and unknown addresses answer alike."""
    key = _otp_cooldown_key(email=email, purpose=purpose)
    until = time.time() + OTP_RESEND_SECONDS
    if cache.add(key, until, timeout=OTP_RESEND_SECONDS):
        return
    remaining = (cache.get(key) or until) - time.time()
    raise RateLimited(
        retry_after=max(1, math.ceil(remaining)),
        detail="A code was sent recently; wait before asking for another.",
        code="otp_cooldown",
    )


def otp_issue(*, user: User, purpose: str) -> EmailVerification:
    """Store a new code's hash (superseding older codes) and email it after commit."""
    email = _otp_email_key(user.email)
    now = timezone.now()
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    EmailVerification.objects.filter(
        email=email, purpose=purpose, consumed_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    verification = EmailVerification.objects.create(
        email=email,
        user=user,
        purpose=purpose,
        code_hash=_otp_hash(email=email, purpose=purpose, code=code),
        expires_at=now + OTP_TTL,
    )
    # The language of the request that asked for the code, for a user who saved none.
    language = translation.get_language() or ""
    transaction.on_commit(
        partial(send_otp_email.delay, verification.pk, code, language), robust=True
    )
    return verification


def otp_send(*, email: str, purpose: str) -> None:
    """Email a code when an active account fits; unknown addresses get the same answer."""
    _otp_cooldown_claim(email=email, purpose=purpose)
    user = selectors.user_get_active_by_email(email=email)
    if user is None:
        return
    if purpose == OtpPurpose.VERIFY_EMAIL and user.is_email_verified:
        return
    with transaction.atomic():
        otp_issue(user=user, purpose=purpose)


def otp_email_send(*, verification_id: int, code: str, language: str = "") -> bool:
    """Email a code if its row is still live; a replay for a used or expired code sends nothing."""
    verification = (
        EmailVerification.objects.select_related("user")
        .filter(pk=verification_id, consumed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if verification is None:
        return False
    user = verification.user
    is_reset = verification.purpose == OtpPurpose.PASSWORD_RESET
    context = {
        "code": code,
        "minutes": int(OTP_TTL.total_seconds() // 60),
        "name": (user.display_name or user.username) if user else "",
        "is_password_reset": is_reset,
    }
    with translation.override(language_for(user, fallback=language)):
        subject = (
            _("Your CNT Media password reset code")
            if is_reset
            else _("Verify your CNT Media email")
        )
        message = EmailMultiAlternatives(
            subject=str(subject),
            body=render_to_string("emails/otp_code.txt", context),
            to=[user.email if user else verification.email],
        )
        message.attach_alternative(render_to_string("emails/otp_code.html", context), "text/html")
    message.send()
    return True


def _otp_match(*, email: str, purpose: str, code: str) -> tuple[EmailVerification | None, str]:
    """Lock the live code of an address and compare; a wrong guess is counted (and saved).

    Returns the row and an error code ("" on a match). Call inside transaction.atomic() and
    raise only after it commits, so the attempt count survives a refusal.
    """
    verification = (
        EmailVerification.objects.select_for_update()
        .filter(email=_otp_email_key(email), purpose=purpose, consumed_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if verification is None:
        return None, "otp_invalid"
    if verification.expires_at <= timezone.now():
        return verification, "otp_expired"
    if verification.attempts >= OTP_MAX_ATTEMPTS:
        return verification, "otp_attempts_exceeded"
    expected = _otp_hash(email=email, purpose=purpose, code=code)
    if not hmac.compare_digest(verification.code_hash, expected):
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        if verification.attempts >= OTP_MAX_ATTEMPTS:
            return verification, "otp_attempts_exceeded"
        return verification, "otp_invalid"
    return verification, ""


OTP_MESSAGES = {
    "otp_invalid": _("The code is invalid."),
    "otp_expired": _("The code has expired; ask for a new one."),
    "otp_attempts_exceeded": _("Too many wrong attempts; ask for a new code."),
}


def _otp_refuse(error: str) -> OtpError:
    return OtpError(OTP_MESSAGES[error], code=error)


def otp_verify(*, email: str, code: str, purpose: str) -> None:
    """Check a code: a verify_email code is used up; a password_reset code stays for the reset."""
    with transaction.atomic():
        verification, error = _otp_match(email=email, purpose=purpose, code=code)
        if not error and purpose == OtpPurpose.VERIFY_EMAIL:
            user = verification.user
            if user is None or not user.is_active:
                error = "otp_invalid"
            else:
                verification.consumed_at = timezone.now()
                verification.save(update_fields=["consumed_at"])
                User.objects.filter(pk=user.pk).update(
                    is_email_verified=True, updated_at=timezone.now()
                )
    if error:
        raise _otp_refuse(error)


def user_password_reset(*, email: str, code: str, new_password: str) -> None:
    """Set a new password with a password_reset code; every session of the account ends."""
    with transaction.atomic():
        verification, error = _otp_match(email=email, purpose=OtpPurpose.PASSWORD_RESET, code=code)
        user = verification.user if verification else None
        if not error and (user is None or not user.is_active):
            error = "otp_invalid"
        if not error:
            try:
                validate_password(new_password, user)
            except DjangoValidationError as exc:
                raise InvalidInput(errors={"new_password": list(exc.messages)})
            user.set_password(new_password)
            user.is_email_verified = True  # the code proved the address
            user.save(update_fields=["password", "is_email_verified", "updated_at"])
            verification.consumed_at = timezone.now()
            verification.save(update_fields=["consumed_at"])
            user_tokens_revoke_all(user=user, reason="Password reset.")
    if error:
        raise _otp_refuse(error)
