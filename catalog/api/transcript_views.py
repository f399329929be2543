"""Read along and captions of any playable item: `GET {type}/{id}/transcript` (paragraphs
with times), `GET|POST {type}/{id}/captions` (history; upload or correct, owner or
moderator). `type` is a content kind's name (podcast, movie, music, bible_story)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import kinds, policies, selectors, transcripts
from catalog.api.serializers import captions_status_field
from cnt.api.serializers import EnumField, validated
from cnt.errors import Forbidden, InvalidInput, NotFound
from media.captions import MAX_UPLOAD_BYTES
from media.models import CaptionSource

TAGS = ["captions"]


def caption_source_field(**kwargs) -> EnumField:
    return EnumField(CaptionSource.choices, "CaptionSourceEnum", **kwargs)


class TranscriptParagraphSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="Seconds from the start.")
    end = serializers.FloatField(help_text="Seconds from the start.")
    text = serializers.CharField()


class TranscriptSerializer(serializers.Serializer):
    status = captions_status_field(help_text="As the item's `captions_status`.")
    reason = serializers.CharField(allow_null=True, help_text="Why there is no transcript.")
    language = serializers.CharField(allow_null=True, help_text="Spoken language (BCP-47).")
    source = caption_source_field(allow_null=True)
    paragraphs = TranscriptParagraphSerializer(many=True)


class TranscriptLanguageSerializer(serializers.Serializer):
    language = serializers.CharField(
        max_length=16, help_text="BCP-47 tag of the spoken language: en, fr, pt-BR."
    )


class CaptionTrackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.CharField()
    source = caption_source_field()
    cue_count = serializers.IntegerField()
    is_current = serializers.BooleanField(help_text="False: an earlier version, kept.")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()


class CaptionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text=f"WebVTT or SubRip (SRT), UTF-8, ≤ {MAX_UPLOAD_BYTES} B."
    )
    language = serializers.CharField(max_length=16, help_text="BCP-47 tag: en, fr, pt-BR.")


TYPE_PARAMETER = OpenApiParameter(
    "content_type",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=[kind.name for kind in kinds.playable_kinds()],
    description="The content kind.",
)
ID_PARAMETER = OpenApiParameter("object_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def content_for_request(request, content_type: str, object_id: str):
    """The visible item of a playable kind, or a uniform 404."""
    try:
        kind = kinds.kind_get(content_type)
    except kinds.UnknownContentKind:
        raise NotFound()
    if not kind.is_playable:
        raise NotFound()
    return selectors.content_get_for_user(model=kind.model, user=request.user, pk=int(object_id))


class TranscriptView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=TAGS,
        summary="Read along: what was said, as paragraphs with times",
        description=(
            "Empty paragraphs until the transcript is ready; `status` and `reason` say why "
            "(e.g. `disabled` when transcription is not configured)."
        ),
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        responses={200: TranscriptSerializer},
    )
    def get(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        view = transcripts.content_transcript_get(obj=obj)
        return Response(TranscriptSerializer(view).data)

    @extend_schema(
        tags=TAGS,
        summary="Set the spoken language (owner or moderator)",
        description=(
            "By default the language is detected. Setting it transcribes the item again in "
            "that language; generated captions in use go to the history, uploaded ones stay."
        ),
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        request=TranscriptLanguageSerializer,
        responses={200: TranscriptSerializer},
    )
    def put(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        data = validated(TranscriptLanguageSerializer, request)
        transcripts.content_transcript_language_set(
            obj=obj, user=request.user, language=data["language"]
        )
        fresh = content_for_request(request, content_type, object_id)
        view = transcripts.content_transcript_get(obj=fresh)
        return Response(TranscriptSerializer(view).data)


class CaptionsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        summary="Every version of an item's captions (owner or moderator)",
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        responses={200: CaptionTrackSerializer(many=True)},
    )
    def get(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        tracks = transcripts.content_captions_history(obj=obj, user=request.user)
        return Response(CaptionTrackSerializer(tracks, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Upload or correct an item's captions (owner or moderator)",
        description=(
            "WebVTT or SRT, validated and normalised to WebVTT. They become the current "
            "captions of `language`, replacing generated ones (kept in the history); for the "
            "spoken language they also become the transcript used by search and read-along."
        ),
        parameters=[TYPE_PARAMETER, ID_PARAMETER],
        request={"multipart/form-data": CaptionUploadSerializer},
        responses={201: CaptionTrackSerializer},
    )
    def post(self, request, content_type, object_id):
        obj = content_for_request(request, content_type, object_id)
        if not policies.can_edit_captions(request.user, obj):
            # Refused before the upload is read.
            raise Forbidden("Only the owner or a moderator can change the captions.")
        data = validated(CaptionUploadSerializer, request)
        upload = data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                errors={"file": [f"A captions file may be at most {MAX_UPLOAD_BYTES} bytes."]}
            )
        track = transcripts.content_captions_upload(
            obj=obj, user=request.user, language=data["language"], data=upload.read()
        )
        return Response(CaptionTrackSerializer(track).data, status=status.HTTP_201_CREATED)
