"""Upload endpoints and the asset resource. Views validate, call a service, serialize."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import serializers as account_serializers
from accounts.api.views import TAGS as ACCOUNT_TAGS
from cnt.api.serializers import validated
from media import avatars, pipeline, policies, selectors, services
from media.api.serializers import (
    AssetSerializer,
    ImageUploadSerializer,
    UploadSerializer,
    VideoUploadSerializer,
)
from media.layout import KIND_OF_PURPOSE
from media.models import AssetPurpose, MediaAsset
from media.validation import MediaTooLarge

# Multipart framing on top of the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class UploadView(APIView):
    """POST a file as multipart/form-data field `file`; answers with the asset (201)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    purpose: str = AssetPurpose.AUDIO
    serializer_class = UploadSerializer
    moderators_only = False

    def _check_declared_size(self, request, purpose):
        declared = request.META.get("CONTENT_LENGTH") or ""
        limit = settings.MEDIA_MAX_UPLOAD_BYTES[KIND_OF_PURPOSE[purpose]]
        if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
            raise MediaTooLarge(f"The file is larger than the {limit // (1024 * 1024)} MB allowed.")

    def post(self, request):
        if self.moderators_only and not policies.can_upload_documents(request.user):
            raise PermissionDenied("Only moderators and admins upload documents.")
        self._check_declared_size(request, self.purpose)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = serializer.validated_data.get("purpose", self.purpose)
        upload = serializer.validated_data["file"]
        asset = services.asset_create_from_upload(
            owner=request.user, purpose=purpose, upload=upload
        )
        if purpose == AssetPurpose.PROFILE:
            avatars.avatar_use(user=request.user, asset=asset)
        data = AssetSerializer(asset, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


def _upload_view(name: str, purpose: str, summary: str, serializer=UploadSerializer, **extra):
    view = type(
        name,
        (UploadView,),
        {"purpose": purpose, "serializer_class": serializer, **extra},
    )

    def post(self, request):
        return UploadView.post(self, request)

    # Each endpoint gets its own documented operation (not the shared base method).
    view.post = extend_schema(
        summary=summary,
        tags=["uploads"],
        request={"multipart/form-data": serializer},
        responses={201: AssetSerializer, 413: None, 415: None},
    )(post)
    return view


AudioUploadView = _upload_view("AudioUploadView", AssetPurpose.AUDIO, "Upload audio")
VideoUploadView = _upload_view(
    "VideoUploadView", AssetPurpose.VIDEO, "Upload video", VideoUploadSerializer
)
ImageUploadView = _upload_view(
    "ImageUploadView", AssetPurpose.THUMBNAIL, "Upload an image", ImageUploadSerializer
)
ProfileImageUploadView = _upload_view(
    "ProfileImageUploadView", AssetPurpose.PROFILE, "Upload a profile image (sets the avatar)"
)
ThumbnailUploadView = _upload_view(
    "ThumbnailUploadView", AssetPurpose.THUMBNAIL, "Upload a thumbnail"
)
DocumentUploadView = _upload_view(
    "DocumentUploadView",
    AssetPurpose.DOCUMENT,
    "Upload a PDF document (moderators and admins)",
    moderators_only=True,
)


@extend_schema(tags=["media"])
class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                   viewsets.GenericViewSet):  # fmt: skip
    """The caller's uploads with processing state and signed playback URLs."""

    serializer_class = AssetSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filterset_fields = ["kind", "status", "purpose"]
    ordering_fields = ["created_at", "size_bytes"]

    queryset = MediaAsset.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MediaAsset.objects.none()
        return selectors.asset_list_for_owner(user=self.request.user)

    def get_object(self):
        return selectors.asset_get_for_user(user=self.request.user, asset_id=self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Asset id")]
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Asset id")]
    )
    def destroy(self, request, *args, **kwargs):
        asset = self.get_object()
        if asset.owner_id != request.user.id and not policies.can_reprocess_asset(request.user):
            raise PermissionDenied()
        services.asset_delete(asset=asset)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={202: AssetSerializer},
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Asset id")],
        summary="Rebuild every derived file from the original (moderators)",
    )
    @action(detail=True, methods=["post"])
    def reprocess(self, request, pk=None):
        asset = self.get_object()
        if not policies.can_reprocess_asset(request.user):
            raise PermissionDenied()
        if asset.kind not in ("audio", "video"):
            raise ValidationError({"kind": ["Only audio and video assets are processed."]})
        pipeline.asset_reprocess(asset=asset)
        asset.refresh_from_db()
        return Response(
            AssetSerializer(asset, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


# `POST auth/me/avatar`: the signed-in user's new profile picture, re-encoded to at most
# 1024 px. Media owns the asset; the route sits with the account's own paths, and documents
# itself as it did there.
class AvatarUploadView(APIView):
    """The signed-in user's own account."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=ACCOUNT_TAGS,
        summary="Upload a profile picture",
        request={"multipart/form-data": account_serializers.AvatarUploadSerializer},
        responses={200: account_serializers.UserSerializer},
    )
    def post(self, request):
        data = validated(account_serializers.AvatarUploadSerializer, request)
        user = avatars.avatar_set_from_upload(user=request.user, upload=data["file"])
        return Response(account_serializers.UserSerializer(user, context={"request": request}).data)
