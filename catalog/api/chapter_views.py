"""Chapters and a summary of a spoken-word item: `GET|PUT {type}/{id}/chapters` (read;
publish written or edited chapters), `POST {type}/{id}/chapters/accept` (publish the
language model's draft as it is), `GET {type}/{id}/chapters.vtt` (a WebVTT chapters
track for players) and `GET {type}/{id}/chapters.json` (the Podcasting 2.0 JSON chapters
that podcast feeds link)."""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import transcripts
from catalog.api.transcript_views import ID_PARAMETER, TYPE_PARAMETER, content_for_request
from cnt.api.serializers import EnumField, validated
from cnt.errors import NotFound
from media.outlines import MAX_CHAPTERS, MAX_SUMMARY, MAX_TITLE

TAGS = ["captions"]
CHAPTERS_JSON = "application/json+chapters"

OUTLINE_STATUSES = [
    ("none", "Not spoken word, or no media"),
    ("disabled", "Chapters are not drafted on this server"),
    ("pending", "Waiting for the transcript or the language model"),
    ("processing", "Being drafted"),
    ("draft", "A draft waits for the owner"),
    ("failed", "Drafting failed"),
]


class ChapterSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds from the start.")
    end = serializers.FloatField(help_text="Seconds from the start: where the next begins.")
    title = serializers.CharField()


class PendingOutlineSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    chapters = ChapterSerializer(many=True)


class ChaptersSerializer(serializers.Serializer):
    status = EnumField(
        OUTLINE_STATUSES,
        "OutlineStatusEnum",
        help_text="The state of the drafted outline (the published one is `chapters`).",
    )
    reason = serializers.CharField(allow_null=True, help_text="Why there is no draft.")
    summary = serializers.CharField(allow_blank=True, help_text="Published; empty if none.")
    chapters = ChapterSerializer(many=True, help_text="Published chapters, in order.")
    accepted_at = serializers.DateTimeField(
        allow_null=True, help_text="When the owner published them; null: not yet."
    )
    draft_summary = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="The draft; only for the owner and moderators."
    )
    draft_chapters = ChapterSerializer(
        many=True, allow_null=True, help_text="The draft; only for the owner and moderators."
    )
    pending_review = PendingOutlineSerializer(
        allow_null=True,
        help_text=(
            "The owner's chapters and summary waiting for a moderator (approved content's "
            "public text is reviewed before it changes); only for the owner and moderators; "
            "null: none waiting."
        ),
    )


class ChapterInputSerializer(serializers.Serializer):
    start = serializers.FloatField(min_value=0, help_text="Seconds from the start.")
    title = serializers.CharField(max_length=MAX_TITLE)


class ChaptersInputSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=MAX_SUMMARY, allow_blank=True, required=False)
    chapters = ChapterInputSerializer(
        many=True,
        max_length=MAX_CHAPTERS,
        min_length=1,
        help_text="In any order; the first is moved to 0 s.",
    )


class _AnyAccept(BaseContentNegotiation):
    """The track is WebVTT whatever a player's Accept says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _chapters(request, content_type, object_id):
    obj = content_for_request(request, content_type, object_id)
    return ChaptersSerializer(transcripts.content_outline_get(obj=obj, user=request.user)).data


class ChaptersView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        summary="Chapters and a summary of what was said",
        description=(
            "Drafted from the transcript by a language model and published when the owner "
            "accepts or edits them; `chapters` and `summary` are the published ones."
        ),
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        responses={200: ChaptersSerializer},
    )
    def get(self, request, content_type, object_id):
        return Response(_chapters(request, content_type, object_id))

    @extend_schema(
        tags=TAGS,
        summary="Publish chapters and a summary (owner or moderator)",
        description=(
            "Written by hand or edited from the draft; they replace the published ones. On "
            "approved content, an owner who is not a trusted artist proposes them: they wait "
            "for a moderator (`pending_review`) and the published ones stay until then."
        ),
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        request=ChaptersInputSerializer,
        responses={200: ChaptersSerializer},
    )
    def put(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        data = validated(ChaptersInputSerializer, request)
        transcripts.content_outline_publish(
            obj=obj, user=request.user, summary=data.get("summary"), chapters=data["chapters"]
        )
        return Response(_chapters(request, content_type, object_id))


class ChaptersAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Publish the drafted chapters and summary as they are (owner or moderator)",
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        request=None,
        responses={200: ChaptersSerializer},
    )
    def post(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        transcripts.content_outline_accept(obj=obj, user=request.user)
        return Response(_chapters(request, content_type, object_id))


class ChaptersTrackView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        tags=TAGS,
        summary="The published chapters as a WebVTT chapters track",
        operation_id="chapters_track_retrieve",
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        responses={(200, "text/vtt"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        vtt = transcripts.content_chapters_vtt(obj=obj)
        if vtt is None:
            raise NotFound("This item has no published chapters.")
        response = HttpResponse(vtt, content_type="text/vtt; charset=utf-8")
        response["Cache-Control"] = "public, max-age=300"
        return response


class ChaptersDocumentView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    content_negotiation_class = _AnyAccept

    @extend_schema(
        tags=TAGS,
        summary="The published chapters as a Podcasting 2.0 JSON chapters document",
        description="What podcast apps read from the feed's `podcast:chapters` link.",
        operation_id="chapters_document_retrieve",
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        responses={(200, CHAPTERS_JSON): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        document = transcripts.content_chapters_json(obj=obj)
        if document is None:
            raise NotFound("This item has no published chapters.")
        response = HttpResponse(json.dumps(document), content_type=CHAPTERS_JSON)
        response["Cache-Control"] = "public, max-age=300"
        return response
