"""Support API shapes: a ticket, its thread, and what users send."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cnt.api.serializers import EnumField
from cnt.validators import validate_single_line
from support.models import SupportCategory, SupportMessage, SupportReply, SupportStatus


def _status_field(**kwargs) -> EnumField:
    return EnumField(SupportStatus.choices, "SupportStatusEnum", **kwargs)


def _category_field(**kwargs) -> EnumField:
    return EnumField(SupportCategory.choices, "SupportCategoryEnum", **kwargs)


class SupportReplySerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="body", read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = SupportReply
        fields = ["id", "message", "is_staff_reply", "author", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_author(self, obj) -> str:
        """Staff sign as "CNT Media support" (their names stay private)."""
        if obj.is_staff_reply:
            return "CNT Media support"
        author = obj.author
        return (author.display_name or author.username) if author else ""


class SupportTicketSerializer(serializers.ModelSerializer):
    status = _status_field(read_only=True)
    category = _category_field(read_only=True)
    replies_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SupportMessage
        fields = [
            "id",
            "subject",
            "message",
            "category",
            "status",
            "replies_count",
            "responded_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SupportTicketDetailSerializer(SupportTicketSerializer):
    replies = SupportReplySerializer(many=True, read_only=True)

    class Meta(SupportTicketSerializer.Meta):
        fields = [*SupportTicketSerializer.Meta.fields, "replies"]
        read_only_fields = fields


class SupportTicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, validators=[validate_single_line])
    message = serializers.CharField(max_length=5000)
    category = _category_field(default=SupportCategory.GENERAL)


class SupportReplyCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)
