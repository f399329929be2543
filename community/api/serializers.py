from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import avatar_image, avatar_url
from cnt import signing
from cnt.api import images as api_images
from cnt.api.representation import FastRepresentation
from cnt.api.serializers import EnumField
from cnt.notifications.models import Device, DevicePlatform, Notification, NotificationType
from community.models import Comment, CommunityPost, PostType

# Older clients sent these names for post types.
POST_TYPE_ALIASES = {"text": "general", "image": "general", "prayer": "prayer_request"}


class AuthorSerializer(FastRepresentation, serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()
    avatar_image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, user):
        return avatar_url(user, self.context.get("request"))

    @api_images.image_field()
    def get_avatar_image(self, user):
        return avatar_image(user, self.context.get("request"))


class PostTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=PostType.choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = POST_TYPE_ALIASES.get(data, data)
        return super().to_internal_value(data)


class PostSerializer(FastRepresentation, serializers.ModelSerializer):
    """A community post as the apps show it. User text is plain text, never HTML."""

    content = serializers.CharField(source="body", max_length=5000)
    post_type = PostTypeField(default=PostType.GENERAL)
    image = serializers.UUIDField(
        source="image_id", required=False, allow_null=True, help_text="An uploaded image asset id."
    )
    image_url = serializers.SerializerMethodField()
    picture = serializers.SerializerMethodField(help_text="The image's responsive renditions.")
    author = AuthorSerializer(read_only=True)
    is_liked = serializers.SerializerMethodField()

    class Meta:
        model = CommunityPost
        fields = [
            "id",
            "content",
            "post_type",
            "image",
            "image_url",
            "picture",
            "author",
            "status",
            "likes_count",
            "comments_count",
            "is_liked",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "likes_count",
            "comments_count",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, post):
        if not post.image_id:
            return None
        request = self.context.get("request")
        url = api_images.default_rendition_url(request, post.image, "image")
        return url or signing.playback_url(request, post.image_id, "original")

    @api_images.image_field()
    def get_picture(self, post):
        if not post.image_id:
            return None
        request = self.context.get("request")
        return api_images.responsive_image(request, post.image, "image", self.get_image_url(post))

    @extend_schema_field(serializers.BooleanField())
    def get_is_liked(self, post) -> bool:
        return bool(getattr(post, "is_liked", False))


class LikeStateSerializer(serializers.Serializer):
    likes_count = serializers.IntegerField()
    is_liked = serializers.BooleanField()


class ReplySerializer(serializers.ModelSerializer):
    content = serializers.SerializerMethodField()
    author = AuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "content", "author", "parent", "is_deleted", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_content(self, comment) -> str:
        return "" if comment.is_deleted else comment.body


class CommentSerializer(ReplySerializer):
    replies = serializers.SerializerMethodField()

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "replies"]
        read_only_fields = fields

    @extend_schema_field(ReplySerializer(many=True))
    def get_replies(self, comment):
        replies = getattr(comment, "visible_replies", [])
        return ReplySerializer(replies, many=True, context=self.context).data


class CommentCreateSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=2000)
    parent = serializers.IntegerField(required=False, allow_null=True)


class CommentUpdateSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=2000)


class ReportSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.BooleanField()


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    actor = AuthorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "type",
            "title",
            "message",
            "data",
            "actor",
            "is_read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class NotificationPreferenceListSerializer(serializers.ListSerializer):
    """At most one entry per notification type (so at most as many as there are types)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", len(NotificationType.values))
        super().__init__(*args, **kwargs)

    def validate(self, attrs):
        types = [item["type"] for item in attrs]
        repeated = sorted({value for value in types if types.count(value) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"Each type may appear once; repeated: {', '.join(repeated)}."
            )
        return attrs


class NotificationPreferenceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=NotificationType.choices)
    in_app = serializers.BooleanField(default=True)
    email = serializers.BooleanField(default=False)
    push = serializers.BooleanField(
        default=True, help_text="Also push it to the user's phones (with in-app only)."
    )

    class Meta:
        list_serializer_class = NotificationPreferenceListSerializer


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


DEVICE_TOKEN_PATTERN = r"[A-Za-z0-9_:.\-]{1,512}"


class DeviceRegisterSerializer(serializers.Serializer):
    token = serializers.RegexField(
        rf"^{DEVICE_TOKEN_PATTERN}$",
        max_length=512,
        help_text="The FCM registration token of this app install.",
    )
    platform = EnumField(DevicePlatform.choices, "DevicePlatform")
    app_version = serializers.RegexField(
        r"^[A-Za-z0-9.+_-]{0,32}$", required=False, allow_blank=True, default=""
    )
    locale = serializers.RegexField(
        r"^([A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8}){0,3})?$",
        max_length=35,
        required=False,
        allow_blank=True,
        default="",
        help_text="A language tag, e.g. en, fr-CA.",
    )


class DeviceSerializer(serializers.ModelSerializer):
    platform = EnumField(DevicePlatform.choices, "DevicePlatform", read_only=True)

    class Meta:
        model = Device
        fields = ["token", "platform", "app_version", "locale", "created_at", "last_seen_at"]
        read_only_fields = fields
