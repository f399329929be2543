"""Refresh tokens: issue, rotate (exactly once), revoke."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from cnt import realtime
from cnt.errors import NotAuthenticated

TokenPair = dict[str, str]


def _token_invalid() -> NotAuthenticated:
    return NotAuthenticated(
        _("The refresh token is invalid, expired or revoked."), code="token_not_valid"
    )


def inactive_error() -> NotAuthenticated:
    return NotAuthenticated(_("This account is not active."), code="user_inactive")


def token_pair_issue(*, user: User) -> TokenPair:
    """A new refresh/access pair; the refresh token is recorded so it can be revoked."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _refresh_token_decode(raw: str) -> RefreshToken:
    """Signature, expiry, type and blacklist checks of a refresh token."""
    try:
        return RefreshToken(raw)
    except TokenError:
        raise _token_invalid()


def _token_user(token: RefreshToken) -> User:
    try:
        user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    except (TypeError, ValueError):
        user = None
    if user is None or not user.is_active:
        raise inactive_error()
    return user


def _outstanding_locked(token: RefreshToken) -> OutstandingToken | None:
    # order_by("pk"): the model's default ordering joins the nullable user, which
    # PostgreSQL cannot lock.
    return (
        OutstandingToken.objects.select_for_update(of=("self",))
        .filter(jti=token[jwt_settings.JTI_CLAIM])
        .order_by("pk")
        .first()
    )


def token_refresh(*, refresh: str) -> TokenPair:
    """Rotate a refresh token: blacklist it and issue a new pair, once even under concurrency."""
    token = _refresh_token_decode(refresh)
    with transaction.atomic():
        # The row lock makes concurrent refreshes of one token queue up; the first one wins.
        outstanding = _outstanding_locked(token)
        if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
            raise _token_invalid()
        user = _token_user(token)
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            raise _token_invalid()
        return token_pair_issue(user=user)


def token_revoke(*, refresh: str) -> None:
    """Blacklist one refresh token (sign one device out)."""
    token = _refresh_token_decode(refresh)
    with transaction.atomic():
        outstanding = _outstanding_locked(token)
        if outstanding is None:
            raise _token_invalid()
        BlacklistedToken.objects.get_or_create(token=outstanding)


def user_tokens_revoke_all(*, user: User, reason: str = "Signed out everywhere.") -> int:
    """Sign the user out everywhere: blacklist every refresh token they still hold and, after
    commit, close their open WebSockets (4401). Used by password change and reset, deletion
    and deactivation. Returns how many refresh tokens were revoked."""
    realtime.sockets_revoke_on_commit(user.pk, code=realtime.CLOSE_REVOKED, reason=reason)
    live = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live], ignore_conflicts=True
    )
    return len(created)
