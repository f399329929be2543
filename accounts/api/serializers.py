"""Input and output shapes of the accounts API. Validation only; the writes live in services."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import policies, selectors
from accounts.models import OtpPurpose, PlaybackQuality, User
from accounts.validators import (
    EMAIL_TAKEN_MESSAGE,
    USERNAME_MESSAGES,
    validate_email_domain,
    validate_username_format,
)
from cnt import signing
from cnt.api import images as api_images
from cnt.api.serializers import EnumField
from cnt.validators import validate_single_line

PASSWORD_MAX_LENGTH = 128


def avatar_url(user: User, request) -> str | None:
    """The avatar's signed, absolute URL: its JPEG rendition at avatar size, or the
    picture itself until the renditions exist (avatars are assets like any upload)."""
    if not user.avatar_id:
        return None
    url = api_images.default_rendition_url(request, user.avatar, "avatar")
    return url or signing.playback_url(request, user.avatar_id, "original")


def avatar_image(user: User, request) -> dict | None:
    """The avatar's responsive image object (cnt/api/images.py)."""
    if not user.avatar_id:
        return None
    return api_images.responsive_image(request, user.avatar, "avatar", avatar_url(user, request))


def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


class UsernameField(serializers.CharField):
    """A username that follows the format rules and is not taken (by anyone but `exclude`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_username_format(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code)
        me = self.context.get("user")
        if selectors.username_taken(username=value, exclude_user_id=me.pk if me else None):
            raise serializers.ValidationError(USERNAME_MESSAGES["taken"], code="taken")
        return value


def quality_field(**kwargs) -> EnumField:
    return EnumField(
        PlaybackQuality.choices,
        "PlaybackQualityEnum",
        help_text="Which renditions the stream and download URLs point at: `auto` lists every "
        "rung in the HLS master, `data-saver` only 240p/144p video and 48 kbps mono audio, "
        "`high` only the standard rungs. Downloads mark the matching file as the default.",
        **kwargs,
    )


# --- output --------------------------------------------------------------------------------


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user, as returned by the auth endpoints and `me`."""

    avatar_url = serializers.SerializerMethodField()
    avatar_image = serializers.SerializerMethodField()
    is_creator = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        allow_blank=True,
        read_only=True,
        help_text="The language of messages, emails and pushes; blank follows the device.",
    )
    quality = quality_field(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "bio",
            "avatar_url",
            "avatar_image",
            "is_email_verified",
            "is_creator",
            "role",
            "language",
            "quality",
            "date_joined",
        ]
        read_only_fields = fields

    def get_avatar_url(self, obj) -> str | None:
        return avatar_url(obj, self.context.get("request"))

    @api_images.image_field()
    def get_avatar_image(self, obj):
        return avatar_image(obj, self.context.get("request"))

    def get_is_creator(self, obj) -> bool:
        return policies.is_creator(obj)

    @extend_schema_field(serializers.ChoiceField(choices=policies.Role.choices))
    def get_role(self, obj) -> str:
        return policies.role_of(obj)


class PublicUserSerializer(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()
    avatar_image = serializers.SerializerMethodField()
    is_creator = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "bio",
            "avatar_url",
            "avatar_image",
            "date_joined",
            "is_creator",
        ]
        read_only_fields = fields

    def get_avatar_url(self, obj) -> str | None:
        return avatar_url(obj, self.context.get("request"))

    @api_images.image_field()
    def get_avatar_image(self, obj):
        return avatar_image(obj, self.context.get("request"))

    def get_is_creator(self, obj) -> bool:
        return policies.is_creator(obj)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthResponseSerializer(TokenPairSerializer):
    user = UserSerializer()


class GoogleLoginResponseSerializer(AuthResponseSerializer):
    created = serializers.BooleanField(help_text="True when this sign-in created the account.")


class GoogleClientIdSerializer(serializers.Serializer):
    client_id = serializers.CharField(allow_null=True, help_text="The web client ID.")
    web = serializers.CharField(allow_null=True)
    ios = serializers.CharField(allow_null=True)
    android = serializers.CharField(allow_null=True)


class CheckUsernameResponseSerializer(serializers.Serializer):
    available = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=[(code, message) for code, message in USERNAME_MESSAGES.items()],
        required=False,
        help_text="Why the name cannot be used; absent when it is available.",
    )
    detail = serializers.CharField(required=False, help_text="The reason, in words.")


class OtpVerifiedSerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    purpose = serializers.ChoiceField(choices=OtpPurpose.choices)


# --- input ---------------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, validators=[validate_email_domain])
    username = UsernameField()
    password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
    )
    display_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_single_line]
    )

    def validate_email(self, value):
        if selectors.user_email_taken(email=value):
            raise serializers.ValidationError(EMAIL_TAKEN_MESSAGE, code="taken")
        return value

    def validate_password(self, value):
        # Field-level, so password problems are reported together with the other fields';
        # the similarity check compares against what was submitted.
        data = self.initial_data
        candidate = User(
            email=str(data.get("email", "")),
            username=str(data.get("username", "")),
            display_name=str(data.get("display_name", "")),
        )
        errors = _password_errors(value, candidate)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(
        max_length=254,
        required=False,
        help_text="An email address, or a username (anything that is not email-shaped).",
    )
    username = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
    )

    def validate(self, attrs):
        identifier = (attrs.get("email") or attrs.get("username") or "").strip()
        if not identifier:
            raise serializers.ValidationError(
                {"email": [_("Give an email address or a username.")]}, code="required"
            )
        attrs["identifier"] = identifier
        return attrs


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class GoogleLoginSerializer(serializers.Serializer):
    id_token = serializers.CharField(max_length=8192)


class SendOtpSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    purpose = serializers.ChoiceField(choices=OtpPurpose.choices, default=OtpPurpose.VERIFY_EMAIL)


class OtpCodeField(serializers.RegexField):
    def __init__(self, **kwargs):
        super().__init__(
            r"^\d{6}$", error_messages={"invalid": _("Enter the 6-digit code.")}, **kwargs
        )


class VerifyOtpSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    code = OtpCodeField()
    purpose = serializers.ChoiceField(choices=OtpPurpose.choices, default=OtpPurpose.VERIFY_EMAIL)


class CheckUsernameSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    code = OtpCodeField()
    new_password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
    )


class ChangePasswordSerializer(serializers.Serializer):
    current_password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
    )
    new_password = serializers.CharField(
        write_only=True, max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False
    )

    def validate_new_password(self, value):
        errors = _password_errors(value, self.context["user"])
        if errors:
            raise serializers.ValidationError(errors)
        return value


class UserUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_single_line]
    )
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    username = UsernameField(required=False)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        allow_blank=True,
        help_text="The language of messages, emails and pushes; blank follows the device.",
    )
    quality = quality_field(required=False)


class AvatarUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG, WEBP or GIF image (at most 10 MB).")
