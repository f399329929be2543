"""The REST side of the moderation console: the dashboard and approve/reject (moderators only).

The same services as Django Admin's actions (catalog.moderation); anything a non-moderator
sends is refused before a row is read, so it changes nothing.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import IsModerator
from catalog import moderation
from catalog.api.serializers import content_type_field, moderation_status_field
from catalog.dashboard import dashboard_stats
from catalog.models import ContentType

TAGS = ["admin"]


class StatusCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    total = serializers.IntegerField()
    oldest_pending_age_seconds = serializers.IntegerField(
        allow_null=True, help_text="Age of the oldest pending item; null when none is pending."
    )


class ContentCountsSerializer(serializers.Serializer):
    podcast = StatusCountsSerializer()
    movie = StatusCountsSerializer()
    music = StatusCountsSerializer()
    bible_story = StatusCountsSerializer()
    community_post = StatusCountsSerializer()


class ActivitySerializer(serializers.Serializer):
    new_users = serializers.IntegerField()
    uploads = serializers.IntegerField(help_text="Media files uploaded.")
    plays = serializers.IntegerField(help_text="Counted plays of any content.")


class StorageSerializer(serializers.Serializer):
    used_bytes = serializers.IntegerField(help_text="Sum of the original files' sizes.")
    files = serializers.IntegerField(help_text="Number of original files.")
    derived_bytes = serializers.IntegerField(help_text="Renditions (HLS, posters, waveforms).")


class DashboardSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    content = ContentCountsSerializer()
    pending_total = serializers.IntegerField()
    last_7_days = ActivitySerializer()
    storage = StorageSerializer()


class ModerationResultSerializer(serializers.Serializer):
    content_type = content_type_field()
    id = serializers.IntegerField(source="obj.pk")
    status = moderation_status_field(source="obj.status")
    rejection_reason = serializers.CharField(source="obj.rejection_reason")
    moderated_at = serializers.DateTimeField(source="obj.moderated_at", allow_null=True)
    moderated_by = serializers.IntegerField(source="obj.moderated_by_id", allow_null=True)
    changed = serializers.BooleanField(
        help_text="False when the item already had this status (nothing was written)."
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=moderation.REASON_MAX_LENGTH,
        help_text="Why the content is rejected; sent to the owner.",
    )


TARGET_PARAMETERS = [
    OpenApiParameter(
        "content_type",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        enum=ContentType.values,
        description="The kind of content; anything else is a 404.",
    ),
    OpenApiParameter("object_id", OpenApiTypes.INT, OpenApiParameter.PATH),
]


def _target(content_type: str, object_id: str):
    try:
        model = moderation.model_for(content_type)
    except moderation.UnknownContentType:
        raise NotFound()
    obj = model.objects.filter(pk=int(object_id)).first()
    if obj is None:
        raise NotFound()
    return obj


class ModeratorView(APIView):
    permission_classes = [IsAuthenticated, IsModerator]


class DashboardView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Moderation dashboard",
        description="Content by type and status, activity of the last 7 days, storage used.",
        responses=DashboardSerializer,
    )
    def get(self, request):
        return Response(DashboardSerializer(dashboard_stats()).data)


class ApproveView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Approve content",
        description="Makes the item public and notifies its owner. Approving approved content "
        "changes nothing.",
        parameters=TARGET_PARAMETERS,
        request=None,
        responses=ModerationResultSerializer,
    )
    def post(self, request, content_type, object_id):
        obj = _target(content_type, object_id)
        result = moderation.content_approve(
            content_type=content_type, obj=obj, moderator=request.user
        )
        return Response(ModerationResultSerializer(result).data)


class RejectView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Reject content",
        description="Hides the item and tells its owner why. Rejecting rejected content "
        "changes nothing.",
        parameters=TARGET_PARAMETERS,
        request=RejectSerializer,
        responses=ModerationResultSerializer,
    )
    def post(self, request, content_type, object_id):
        obj = _target(content_type, object_id)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = moderation.content_reject(
            content_type=content_type,
            obj=obj,
            moderator=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(ModerationResultSerializer(result).data)
