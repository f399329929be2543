"""The REST side of the moderation console: the dashboard, approve/reject, and the edits of
approved content waiting for review (moderators only).

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
from catalog import kinds, moderation, transcripts
from catalog.api.serializers import content_type_field, moderation_status_field
from catalog.dashboard import dashboard_stats
from catalog.models import ContentType, EditStatus, PendingEdit
from cnt.api.pagination import StandardPagination

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


# --- edits of approved content -------------------------------------------------------------


class PendingEditAdminSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = content_type_field()
    object_id = serializers.IntegerField()
    owner = serializers.IntegerField(source="owner_id")
    status = serializers.ChoiceField(choices=EditStatus.choices)
    changes = serializers.DictField(help_text="The proposed values, by field name.")
    current = serializers.SerializerMethodField(
        help_text="The public values of the same fields (what approving would replace)."
    )
    reason = serializers.CharField(help_text="Why a moderator rejected the edit.")
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_current(self, edit) -> dict:
        obj = self.context.get("items", {}).get((edit.content_type, edit.object_id))
        if obj is None:
            return {}
        return {
            field: transcripts.content_outline_published(obj)
            if field == kinds.OUTLINE
            else getattr(obj, field, None)
            for field in edit.changes
        }


class EditDecisionSerializer(serializers.Serializer):
    edit = PendingEditAdminSerializer()
    changed = serializers.BooleanField(
        help_text="False when the edit was already decided (nothing was written)."
    )


def _items_of(edits) -> dict:
    """The edited items, one query per kind."""
    wanted: dict[str, list[int]] = {}
    for edit in edits:
        wanted.setdefault(edit.content_type, []).append(edit.object_id)
    items = {}
    for content_type, ids in wanted.items():
        for obj in moderation.model_for(content_type).objects.filter(pk__in=ids):
            items[(content_type, obj.pk)] = obj
    return items


def _edit(edit_id: str) -> PendingEdit:
    edit = PendingEdit.objects.filter(pk=int(edit_id)).first()
    if edit is None:
        raise NotFound()
    return edit


def _decision_body(result) -> dict:
    context = {"items": _items_of([result.edit])}
    return {
        "edit": PendingEditAdminSerializer(result.edit, context=context).data,
        "changed": result.changed,
    }


class PendingEditListView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Edits waiting for review",
        description="Owners' changes to the public text of approved content, oldest first, "
        "with the public values they would replace.",
        responses=PendingEditAdminSerializer(many=True),
    )
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(moderation.pending_edits_queue(), request, view=self)
        context = {"items": _items_of(page)}
        data = PendingEditAdminSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


class EditApproveView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Approve an edit",
        description="Applies the changes to the item (public at once) and tells its owner. "
        "Deciding a decided edit changes nothing.",
        request=None,
        responses=EditDecisionSerializer,
    )
    def post(self, request, edit_id):
        result = moderation.content_edit_approve(edit=_edit(edit_id), moderator=request.user)
        return Response(_decision_body(result))


class EditRejectView(ModeratorView):
    @extend_schema(
        tags=TAGS,
        summary="Reject an edit",
        description="Discards the changes (the item keeps its public text) and tells its owner "
        "why. Deciding a decided edit changes nothing.",
        request=RejectSerializer,
        responses=EditDecisionSerializer,
    )
    def post(self, request, edit_id):
        edit = _edit(edit_id)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = moderation.content_edit_reject(
            edit=edit, moderator=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(_decision_body(result))
