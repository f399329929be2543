"""The caller's library (history, continue watching) and playlists. Same permission policy
as catalog/api/viewsets.py; routes in urls.py."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import (
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.response import Response

from catalog import policies, selectors, services
from catalog.api import library_serializers as ls
from catalog.api import serializers as s
from catalog.models import (
    PlaybackProgress,
    Playlist,
)
from cnt.api.routers import ID_PATTERN, NO_CONTENT
from cnt.api.serializers import ErrorSerializer, validated


def _is_true(value) -> bool:
    return str(value or "").lower() in ("true", "1", "yes")


# --- the caller's library ------------------------------------------------------------------


@extend_schema(tags=["library"])
class LibraryViewSet(viewsets.GenericViewSet):
    """`me/...`: what the signed-in user follows and has played."""

    queryset = PlaybackProgress.objects.none()
    permission_classes = [IsAuthenticated]
    filter_backends: list = []

    @extend_schema(summary="Artists you follow", responses={200: s.FollowingSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def following(self, request):
        page = self.paginate_queryset(selectors.artist_following(user=request.user))
        data = s.FollowingSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def _entries(self, queryset):
        page = self.paginate_queryset(queryset)
        refs = [(entry.content_type, entry.object_id) for entry in page]
        content = selectors.content_map_for_user(user=self.request.user, refs=refs)
        # An item hidden between the two queries is left out rather than shown empty.
        page = [entry for entry in page if (entry.content_type, entry.object_id) in content]
        context = {**self.get_serializer_context(), "content": content}
        data = ls.PlaybackEntrySerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Recently played, newest first",
        responses={200: ls.PlaybackEntrySerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def history(self, request):
        return self._entries(selectors.playback_history(user=request.user))

    @extend_schema(
        summary="Continue watching and listening: started, not finished",
        responses={200: ls.PlaybackEntrySerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="continue")
    def continue_playing(self, request):
        return self._entries(selectors.playback_in_progress(user=request.user))


# --- playlists -----------------------------------------------------------------------------

ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(tags=["playlists"])
@extend_schema_view(
    list=extend_schema(
        summary="Your playlists, or public ones",
        description="Your own playlists; with `public=true` the public playlists of others.",
        parameters=[
            OpenApiParameter(
                "public", OpenApiTypes.BOOL, description="Public playlists of other users."
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Get a playlist with its items",
        description="Items whose content you cannot see are left out.",
        responses={200: ls.PlaylistDetailSerializer},
    ),
    create=extend_schema(
        summary="Create a playlist",
        request=ls.PlaylistWriteSerializer,
        responses={201: ls.PlaylistDetailSerializer},
    ),
    update=extend_schema(
        summary="Replace a playlist's details (owner)",
        request=ls.PlaylistWriteSerializer,
        responses={200: ls.PlaylistDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a playlist's details (owner)",
        request=ls.PlaylistWriteSerializer,
        responses={200: ls.PlaylistDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete a playlist (owner)", responses={204: NO_CONTENT}),
)
class PlaylistViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Playlist.objects.none()
    serializer_class = ls.PlaylistSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Playlist.objects.none()
        public = _is_true(self.request.query_params.get("public"))
        return selectors.playlist_list(user=self.request.user, public=public)

    def get_object(self):
        return selectors.playlist_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _editable_object(self):
        playlist = self.get_object()
        if not policies.can_edit_playlist(self.request.user, playlist):
            raise PermissionDenied("Only the owner can change this playlist.")
        return playlist

    def _detail(self, playlist, code=status.HTTP_200_OK):
        playlist = selectors.playlist_get_for_user(user=self.request.user, pk=playlist.pk)
        items = selectors.playlist_items_for_user(user=self.request.user, playlist=playlist)
        context = {**self.get_serializer_context(), "items": items}
        return Response(ls.PlaylistDetailSerializer(playlist, context=context).data, status=code)

    def list(self, request, *args, **kwargs):
        if not _is_true(request.query_params.get("public")) and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to list your playlists, or ask for public=true.")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated(ls.PlaylistWriteSerializer, request)
        playlist = services.playlist_create(user=request.user, **data)
        return self._detail(playlist, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        playlist = self._editable_object()
        data = validated(ls.PlaylistWriteSerializer, request, partial=kwargs.get("partial", False))
        playlist = services.playlist_update(playlist=playlist, user=request.user, **data)
        return self._detail(playlist)

    def destroy(self, request, *args, **kwargs):
        services.playlist_delete(playlist=self._editable_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add an item at the end (owner)",
        description=(
            "An item you cannot see answers like one that does not exist (400 on `id`). "
            "An item already in the playlist is a 409 with code `duplicate_item`."
        ),
        request=ls.PlaylistItemAddSerializer,
        responses={201: ls.PlaylistItemSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="items", permission_classes=[IsAuthenticated])
    def add_item(self, request, pk=None):
        playlist = self._editable_object()
        data = validated(ls.PlaylistItemAddSerializer, request)
        item = services.playlist_item_add(
            playlist=playlist, user=request.user, item_type=data["type"], item_id=data["id"]
        )
        data = ls.PlaylistItemSerializer(item, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove an item (owner); later items move up",
        parameters=[ITEM_ID],
        request=None,
        responses={204: NO_CONTENT},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"items/(?P<item_id>{ID_PATTERN})",
        permission_classes=[IsAuthenticated],
    )
    def remove_item(self, request, pk=None, item_id=None):
        services.playlist_item_remove(playlist=self._editable_object(), item_id=int(item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Put the items in a new order (owner)",
        request=ls.PlaylistReorderSerializer,
        responses={200: ls.PlaylistDetailSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reorder(self, request, pk=None):
        playlist = self._editable_object()
        data = validated(ls.PlaylistReorderSerializer, request)
        services.playlist_reorder(playlist=playlist, user=request.user, item_ids=data["item_ids"])
        return self._detail(playlist)
