"""Accounts API: validate -> call a service or selector -> serialize. Routes in urls.py."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import google, selectors, services
from accounts.api import serializers as s
from accounts.api.throttles import (
    CheckUsernameThrottle,
    GoogleLoginThrottle,
    LoginIdentifierThrottle,
    LoginThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
    SendOtpThrottle,
    VerifyOtpThrottle,
)
from accounts.validators import USERNAME_MESSAGES, username_problem
from cnt.api.serializers import DetailSerializer, validated
from cnt.errors import NotConfigured
from cnt.i18n import activate_for_user

TAGS = ["auth"]


def _auth_body(request, user, tokens: dict, **extra) -> dict:
    return {
        **tokens,
        "user": s.UserSerializer(user, context={"request": request}).data,
        **extra,
    }


class AuthViewSet(viewsets.ViewSet):
    """Sign-up, sign-in, tokens, one-time codes. Open to anyone, rate-limited per action."""

    # A stale or broken Authorization header must never stand in the way of signing in.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Without authenticators DRF would turn 401 into 403; bad credentials are a 401.
        return 'Bearer realm="api"'

    @extend_schema(
        tags=TAGS,
        summary="Create an account",
        description="Signs the new account in and emails it a `verify_email` code.",
        request=s.RegisterSerializer,
        responses={201: s.AuthResponseSerializer},
    )
    @action(detail=False, methods=["post"], throttle_classes=[RegisterThrottle])
    def register(self, request):
        data = validated(s.RegisterSerializer, request)
        user, tokens = services.user_register(**data)
        return Response(_auth_body(request, user, tokens), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Sign in with email or username and password",
        request=s.LoginSerializer,
        responses={200: s.AuthResponseSerializer},
    )
    @action(
        detail=False, methods=["post"], throttle_classes=[LoginThrottle, LoginIdentifierThrottle]
    )
    def login(self, request):
        data = validated(s.LoginSerializer, request)
        user, tokens = services.user_login(identifier=data["identifier"], password=data["password"])
        return Response(_auth_body(request, user, tokens))

    @extend_schema(
        tags=TAGS,
        summary="Exchange a refresh token for a new pair",
        description="The refresh token rotates: the one sent is revoked and cannot be reused.",
        request=s.RefreshSerializer,
        responses={200: s.TokenPairSerializer},
    )
    @action(detail=False, methods=["post"])
    def refresh(self, request):
        data = validated(s.RefreshSerializer, request)
        return Response(services.token_refresh(refresh=data["refresh"]))

    @extend_schema(
        tags=TAGS,
        summary="Revoke a refresh token (sign this device out)",
        request=s.RefreshSerializer,
        responses={204: OpenApiResponse(description="Signed out.")},
    )
    @action(detail=False, methods=["post"])
    def logout(self, request):
        data = validated(s.RefreshSerializer, request)
        services.token_revoke(refresh=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        summary="Sign in with a Google ID token",
        description=(
            "Links to the account with the same verified email or creates one. "
            "503 `not_configured` when no Google client ID is set."
        ),
        request=s.GoogleLoginSerializer,
        responses={200: s.GoogleLoginResponseSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="google-login",
        throttle_classes=[GoogleLoginThrottle],
    )
    def google_login(self, request):
        data = validated(s.GoogleLoginSerializer, request)
        user, tokens, created = services.user_google_login(id_token=data["id_token"])
        return Response(_auth_body(request, user, tokens, created=created))

    @extend_schema(
        tags=TAGS,
        summary="The public Google OAuth client IDs",
        request=None,
        responses={200: s.GoogleClientIdSerializer},
    )
    @action(detail=False, methods=["get"], url_path="google-client-id")
    def google_client_id(self, request):
        ids = google.client_ids()
        if not ids:
            raise NotConfigured(_("Google sign-in is not configured on this server."))
        platforms = {name: ids.get(name) for name in ("web", "ios", "android")}
        return Response({"client_id": platforms["web"], **platforms})

    @extend_schema(
        tags=TAGS,
        summary="Email a one-time code",
        description=(
            "Answers the same whether or not an account uses the address. "
            "One code per address and purpose per minute (429 `otp_cooldown`)."
        ),
        request=s.SendOtpSerializer,
        responses={200: DetailSerializer},
    )
    @action(detail=False, methods=["post"], url_path="send-otp", throttle_classes=[SendOtpThrottle])
    def send_otp(self, request):
        data = validated(s.SendOtpSerializer, request)
        services.otp_send(email=data["email"], purpose=data["purpose"])
        return Response({"detail": "If an account uses this address, a code is on its way."})

    @extend_schema(
        tags=TAGS,
        summary="Check a one-time code",
        description=(
            "A `verify_email` code is used up and marks the email verified; a "
            "`password_reset` code stays valid for `password-reset`. Codes live 10 minutes "
            "and allow 5 attempts (400 `otp_invalid`, `otp_expired`, `otp_attempts_exceeded`)."
        ),
        request=s.VerifyOtpSerializer,
        responses={200: s.OtpVerifiedSerializer},
    )
    @action(
        detail=False, methods=["post"], url_path="verify-otp", throttle_classes=[VerifyOtpThrottle]
    )
    def verify_otp(self, request):
        data = validated(s.VerifyOtpSerializer, request)
        services.otp_verify(email=data["email"], code=data["code"], purpose=data["purpose"])
        return Response({"verified": True, "purpose": data["purpose"]})

    @extend_schema(
        tags=TAGS,
        summary="Is a username free and valid?",
        request=s.CheckUsernameSerializer,
        responses={200: s.CheckUsernameResponseSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="check-username",
        throttle_classes=[CheckUsernameThrottle],
    )
    def check_username(self, request):
        username = validated(s.CheckUsernameSerializer, request)["username"]
        reason = username_problem(username)
        if reason is None and selectors.username_taken(username=username):
            reason = "taken"
        if reason is None:
            return Response({"available": True})
        return Response({"available": False, "reason": reason, "detail": USERNAME_MESSAGES[reason]})

    @extend_schema(
        tags=TAGS,
        summary="Set a new password with a password_reset code",
        description="Every refresh token of the account is revoked.",
        request=s.PasswordResetSerializer,
        responses={200: DetailSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="password-reset",
        throttle_classes=[PasswordResetThrottle],
    )
    def password_reset(self, request):
        data = validated(s.PasswordResetSerializer, request)
        services.user_password_reset(
            email=data["email"], code=data["code"], new_password=data["new_password"]
        )
        return Response({"detail": "Your password has been changed. Sign in again."})


class MeViewSet(viewsets.ViewSet):
    """The signed-in user's own account."""

    permission_classes = [IsAuthenticated]

    def _me(self, request):
        return selectors.user_get_profile(user_id=request.user.pk)

    def _body(self, request, user):
        return s.UserSerializer(user, context={"request": request}).data

    @extend_schema(tags=TAGS, summary="The signed-in user", responses={200: s.UserSerializer})
    def retrieve(self, request):
        return Response(self._body(request, self._me(request)))

    @extend_schema(
        tags=TAGS,
        summary="Edit display name, bio, username or playback quality",
        request=s.UserUpdateSerializer,
        responses={200: s.UserSerializer},
    )
    def partial_update(self, request):
        data = validated(s.UserUpdateSerializer, request, user=request.user)
        services.user_update(user=request.user, **data)
        activate_for_user(request.user, request)  # answer in the language just chosen
        return Response(self._body(request, self._me(request)))

    @extend_schema(
        tags=TAGS,
        summary="Delete the account",
        description="Deactivates and anonymises the account and revokes its tokens; content stays.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def destroy(self, request):
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        summary="Change the password",
        description="Revokes every other refresh token and returns a fresh pair.",
        request=s.ChangePasswordSerializer,
        responses={200: s.AuthResponseSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="change-password",
        throttle_classes=[PasswordResetThrottle],
    )
    def change_password(self, request):
        data = validated(s.ChangePasswordSerializer, request, user=request.user)
        tokens = services.user_password_change(user=request.user, **data)
        return Response(_auth_body(request, self._me(request), tokens))


class PublicProfileViewSet(viewsets.ViewSet):
    """Anyone's public profile (404 for unknown and deleted accounts)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="A user's public profile",
        parameters=[OpenApiParameter("username", str, OpenApiParameter.PATH)],
        responses={200: s.PublicUserSerializer},
    )
    def retrieve(self, request, username: str):
        user = selectors.user_get_public(username=username)
        return Response(s.PublicUserSerializer(user, context={"request": request}).data)
