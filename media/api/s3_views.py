"""Direct-to-S3 multipart uploads: open -> presign parts -> complete (validate) or abort.
Views validate input, call media.s3direct and shape the answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cnt.api.serializers import ErrorSerializer
from media import s3direct
from media.api.serializers import AssetSerializer
from media.models import AssetPurpose, DirectUpload

TAGS = ["uploads"]
UPLOAD_ID = OpenApiParameter(
    "upload_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Direct upload id"
)
MAX_PARTS_PER_REQUEST = 100


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_CONFIGURED = _error("S3 storage is not configured on this server (`not_configured`).")
GONE = _error("The upload expired or was cancelled (`upload_expired`, `upload_aborted`).")


@extend_schema_field(OpenApiTypes.INT64)
class ByteCountField(serializers.IntegerField):
    """A size in bytes (int64: videos go past 2 GiB)."""


class DirectUploadCreateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(
        choices=AssetPurpose.choices, help_text="Where the file goes (and what it must be)."
    )
    filename = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="Display only."
    )
    size = ByteCountField(
        min_value=0, max_value=2**63 - 1, help_text="Exact size of the file in bytes."
    )


class DirectUploadSerializer(serializers.ModelSerializer):
    size = ByteCountField(source="size_bytes", read_only=True)
    part_size = serializers.SerializerMethodField(
        help_text="Bytes in every part but the last (which holds the rest)."
    )
    parts = serializers.SerializerMethodField(help_text="How many parts to upload.")

    class Meta:
        model = DirectUpload
        fields = ["id", "purpose", "filename", "size", "status", "part_size", "parts", "expires_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT64)
    def get_part_size(self, upload) -> int:
        return s3direct.part_size_for(upload.size_bytes)

    def get_parts(self, upload) -> int:
        return s3direct.part_count(upload)


class PartNumbersSerializer(serializers.Serializer):
    part_numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=s3direct.S3_MAX_PARTS),
        min_length=1,
        max_length=MAX_PARTS_PER_REQUEST,
        help_text=f"Parts to sign (1-based), at most {MAX_PARTS_PER_REQUEST} per request.",
    )


class PartUrlSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    url = serializers.URLField(help_text="PUT the part's bytes here; keep the ETag it answers.")


class PartUrlsSerializer(serializers.Serializer):
    parts = PartUrlSerializer(many=True)
    expires_at = serializers.DateTimeField(help_text="When these URLs stop working.")


class CompletedPartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField(min_value=1, max_value=s3direct.S3_MAX_PARTS)
    etag = serializers.CharField(max_length=128, help_text="The ETag header S3 answered.")


class CompleteSerializer(serializers.Serializer):
    parts = CompletedPartSerializer(many=True, allow_empty=False, max_length=s3direct.S3_MAX_PARTS)

    def validate_parts(self, parts):
        return sorted(parts, key=lambda part: part["part_number"])


class DirectUploadViewSet(viewsets.ViewSet):
    """Presigned S3 multipart uploads, for large files when the server stores on S3."""

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        s3direct.require_configured()

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_s3_create",
        summary="Start a direct upload to S3 (multipart)",
        description=(
            "Opens an S3 multipart upload for a file of `size` bytes. Split the file into "
            "`parts` pieces of `part_size` bytes (the last holds the rest), ask for their "
            "URLs, PUT each piece, then complete. Documents are for moderators; the size is "
            "checked against the purpose's limit before anything is created."
        ),
        request=DirectUploadCreateSerializer,
        responses={
            201: DirectUploadSerializer,
            400: _error("Invalid purpose or size, or an empty file (`empty_file`)."),
            403: _error("Documents are for moderators and admins."),
            413: _error("The size exceeds the limit for this purpose (`file_too_large`)."),
            503: NOT_CONFIGURED,
        },
    )
    def create(self, request):
        serializer = DirectUploadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = s3direct.direct_upload_create(
            owner=request.user,
            purpose=serializer.validated_data["purpose"],
            filename=serializer.validated_data["filename"],
            size=serializer.validated_data["size"],
        )
        return Response(DirectUploadSerializer(upload).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_s3_parts",
        summary="Presigned URLs for parts of a direct upload",
        description=(
            "One PUT URL per requested part number. The URLs expire within the hour (and "
            "never after the upload does); ask again for fresh ones when resuming."
        ),
        parameters=[UPLOAD_ID],
        request=PartNumbersSerializer,
        responses={
            200: PartUrlsSerializer,
            400: _error("Part numbers outside 1..parts, or too many at once."),
            404: _error("No such upload of yours."),
            409: _error("The upload is already complete (`upload_completed`)."),
            410: GONE,
            503: NOT_CONFIGURED,
        },
    )
    def parts(self, request, upload_id):
        serializer = PartNumbersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        urls, expires_at = s3direct.direct_upload_presign_parts(
            user=request.user,
            upload_id=upload_id,
            part_numbers=serializer.validated_data["part_numbers"],
        )
        data = {
            "parts": [{"part_number": number, "url": url} for number, url in urls],
            "expires_at": expires_at,
        }
        return Response(PartUrlsSerializer(data).data)

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_s3_complete",
        summary="Complete a direct upload and validate the file",
        description=(
            "Lists every part with the ETag its PUT answered. The file is then validated by "
            "content like any upload and answered as the new asset; retrying after success "
            "answers the same asset. A file of another size than declared, or one that is "
            "not acceptable media, is removed together with the upload."
        ),
        parameters=[UPLOAD_ID],
        request=CompleteSerializer,
        responses={
            201: AssetSerializer,
            400: _error(
                "Parts missing or refused by S3 (`invalid_parts`; the upload stays open), a "
                "size other than declared (`size_mismatch`), or not acceptable media."
            ),
            404: _error("No such upload of yours."),
            409: _error("Another request is completing this upload (`upload_locked`)."),
            410: GONE,
            413: _error("The file is larger than allowed."),
            503: NOT_CONFIGURED,
        },
    )
    def complete(self, request, upload_id):
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = s3direct.direct_upload_complete(
            user=request.user, upload_id=upload_id, parts=serializer.validated_data["parts"]
        )
        data = AssetSerializer(asset, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_s3_abort",
        summary="Cancel a direct upload",
        description="S3 discards the parts received so far. Cancelling twice is fine.",
        parameters=[UPLOAD_ID],
        request=None,
        responses={
            204: OpenApiResponse(description="Cancelled."),
            404: _error("No such upload of yours."),
            409: _error("The upload is complete (`upload_completed`) or busy (`upload_locked`)."),
            503: NOT_CONFIGURED,
        },
    )
    def destroy(self, request, upload_id):
        s3direct.direct_upload_abort(user=request.user, upload_id=upload_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
