"""Catalogue API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy, the same on every viewset: reads are open (what is hidden answers 404),
writes need a signed-in user (401) and then the right to change the object (403 when it is
visible, 404 when it is not). The rules themselves live in catalog/policies.py.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import (
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.response import Response

from catalog import content_rows, policies, read_cache, selectors, services
from catalog.api import serializers as s
from catalog.api.filters import CategoryFilter, ContentFilter, PodcastFilter, StableOrderingFilter
from catalog.models import (
    Artist,
    Category,
    Movie,
    MusicTrack,
    Podcast,
)
from cnt.api.pagination import CachedCountPagination
from cnt.api.permissions import WritePolicyOrReadOnly
from cnt.api.representation import RenderedJSONResponse, render_json
from cnt.api.routers import ID_PATTERN, NO_CONTENT
from cnt.api.serializers import validated
from cnt.models import ModerationStatus
from media.api.serializers import request_quality


class IsModeratorOrReadOnly(WritePolicyOrReadOnly):
    """Reads for anyone; writes for moderators (anonymous callers get 401, others 403)."""

    write_policy = staticmethod(policies.can_manage_categories)


# --- content -------------------------------------------------------------------------------

LIST_DESCRIPTION = (
    "The approved catalogue, newest first. `mine=true` lists your own items in every state; "
    "`status` picks a moderation state (moderators: everyone's; others: their own). "
    "`ordering`: `-created_at` (newest, default), `-play_count` (most played), `title`."
)


EDIT_DESCRIPTION = (
    "A new asset or cover on approved content sends it back to review. Changes to approved "
    "content's public text (title, description, tags and the type's text fields such as "
    "lyrics or scripture_reference) wait for a moderator unless you are trusted: the item "
    "keeps its public text (and is found by it) meanwhile, and the response shows your "
    "changes in `pending_edit`; approving applies them, rejecting discards them and tells "
    "you why. Other fields change at once."
)


def _content_schema(tag: str, noun: str, read, write):
    """The per-type parts of a content viewset's OpenAPI description."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {noun}s", description=LIST_DESCRIPTION),
        retrieve=extend_schema(
            summary=f"Get a {noun}",
            description="Approved items for everyone; owners and moderators see any state.",
        ),
        create=extend_schema(
            summary=f"Publish a {noun}",
            description=(
                "From media assets you uploaded. Waits for review (`pending`) unless your "
                "artist profile is trusted; your artist profile is created on first publish."
            ),
            request=write,
            responses={201: read},
        ),
        update=extend_schema(
            summary=f"Replace a {noun} (owner)",
            description=EDIT_DESCRIPTION,
            request=write,
            responses={200: read},
        ),
        partial_update=extend_schema(
            summary=f"Change a {noun} (owner)",
            description=EDIT_DESCRIPTION,
            request=write,
            responses={200: read},
        ),
        destroy=extend_schema(summary=f"Delete a {noun} (owner)", responses={204: NO_CONTENT}),
        progress=extend_schema(summary=f"Report the playback position in a {noun}"),
        trending=extend_schema(
            summary=f"Trending {noun}s (most plays in the last 7 days)",
            responses={200: read(many=True)},
        ),
        most_played=extend_schema(summary=f"Most played {noun}s", responses={200: read(many=True)}),
    )


# `POST {type}/{id}/progress` for a viewset of a playable kind: where the caller is in the
# item (history, continue watching), counting a play past the threshold. (A comment, not a
# docstring: the schema would take a docstring as every operation's description.)
class PlaybackProgressMixin:
    @extend_schema(
        description=(
            "Stores where you are (history, continue watching). A play is counted once you "
            "pass 30 seconds, or the end of a shorter item, at most once an hour per item."
        ),
        request=s.ProgressWriteSerializer,
        responses={200: s.ProgressResultSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def progress(self, request, pk=None):
        obj = self.get_object()
        data = validated(s.ProgressWriteSerializer, request)
        progress, counted, plays = services.playback_progress_record(
            user=request.user, obj=obj, position=data["position"], duration=data.get("duration")
        )
        result = {
            "position": progress.position_seconds,
            "duration": progress.duration_seconds,
            "is_completed": progress.is_completed,
            "counted": counted,
            "plays_count": plays,
        }
        return Response(s.ProgressResultSerializer(result).data)


class ContentViewSet(PlaybackProgressMixin, viewsets.ModelViewSet):
    """Shared behaviour of podcasts, movies and music."""

    model: type = Podcast
    write_serializer_class: type = s.ContentWriteSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ContentFilter
    ordering_fields = ["created_at", "play_count", "title"]
    ordering = ["-created_at"]
    lookup_value_regex = ID_PATTERN

    pagination_class = CachedCountPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        if self.action == "list" and content_rows.is_supported():
            # No related rows: list() loads the page's (catalog/content_rows.py).
            return policies.visible_to(self.request.user, self.model.objects.all())
        return selectors.content_visible(model=self.model, user=self.request.user)

    def list(self, request, *args, **kwargs):
        if not content_rows.is_supported():
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        source = content_rows.content_page_source(model=self.model, queryset=queryset)
        page = self.paginate_queryset(source)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def list_count(self, request, compute) -> int:
        """The listing's total, from the cache while no item of this type has changed
        (catalog/read_cache.py). Moderators and each signed-in user see their own totals;
        trending and most-played totals move with plays and are always counted."""
        if self.action != "list":
            return compute()
        user = request.user
        if policies.sees_all_content(user):
            scope = "moderator"
        else:
            scope = f"user-{user.pk}" if user.is_authenticated else "public"
        key = read_cache.count_key(model=self.model, scope=scope, params=request.query_params)
        return read_cache.count_get_or_compute(key, compute)

    def get_object(self):
        return selectors.content_get_for_user(
            model=self.model, user=self.request.user, pk=self.kwargs["pk"]
        )

    def retrieve(self, request, *args, **kwargs):
        # Owners and moderators see more than the public representation; everyone else
        # gets the cached one (catalog/read_cache.py) when there is one, as rendered JSON.
        user = request.user
        public = not policies.sees_all_content(user)
        # The URLs differ by origin and by the viewer's quality preference, nothing else.
        origin = f"{request.scheme}://{request.get_host()} {request_quality(request)}"
        entry = None
        if public:
            # int(): "05" and "5" are one item, one entry (busting knows only the number).
            body, entry = read_cache.detail_get(
                model=self.model, pk=int(self.kwargs["pk"]), origin=origin, viewer_id=user.pk
            )
            if body is not None:
                return RenderedJSONResponse(body)
        obj = content_rows.content_get_for_user(model=self.model, user=user, pk=self.kwargs["pk"])
        data = self.get_serializer(obj).data
        if public and obj.status == ModerationStatus.APPROVED and obj.owner_id != user.pk:
            body = render_json(data)
            read_cache.detail_set(model=self.model, obj=obj, origin=origin, body=body, entry=entry)
            return RenderedJSONResponse(body)
        return Response(data)

    def _editable_object(self):
        obj = self.get_object()
        if not policies.can_edit_content(self.request.user, obj):
            raise PermissionDenied("Only the owner can change this item.")
        return obj

    def _respond(self, obj, code=status.HTTP_200_OK):
        fresh = selectors.content_get_for_user(model=self.model, user=self.request.user, pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(self.write_serializer_class, request)
        obj = services.content_create(model=self.model, user=request.user, **data)
        return self._respond(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self._editable_object()
        data = validated(self.write_serializer_class, request, partial=kwargs.get("partial", False))
        obj = services.content_update(obj=obj, user=request.user, **data)
        return self._respond(obj)

    def destroy(self, request, *args, **kwargs):
        services.content_delete(obj=self._editable_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _paginated(self, queryset):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @action(detail=False, methods=["get"], filter_backends=[])
    def trending(self, request):
        return self._paginated(selectors.content_trending(model=self.model))

    @action(detail=False, methods=["get"], url_path="most-played", filter_backends=[])
    def most_played(self, request):
        return self._paginated(selectors.content_most_played(model=self.model))


@extend_schema(tags=["podcasts"])
@_content_schema("podcasts", "podcast", s.PodcastSerializer, s.PodcastWriteSerializer)
class PodcastViewSet(ContentViewSet):
    model = Podcast
    queryset = Podcast.objects.none()
    serializer_class = s.PodcastSerializer
    write_serializer_class = s.PodcastWriteSerializer
    filterset_class = PodcastFilter


@extend_schema(tags=["movies"])
@_content_schema("movies", "movie", s.MovieSerializer, s.MovieWriteSerializer)
class MovieViewSet(ContentViewSet):
    model = Movie
    queryset = Movie.objects.none()
    serializer_class = s.MovieSerializer
    write_serializer_class = s.MovieWriteSerializer


@extend_schema(tags=["music"])
@_content_schema("music", "music track", s.MusicTrackSerializer, s.MusicTrackWriteSerializer)
class MusicTrackViewSet(ContentViewSet):
    model = MusicTrack
    queryset = MusicTrack.objects.none()
    serializer_class = s.MusicTrackSerializer
    write_serializer_class = s.MusicTrackWriteSerializer


# --- categories ----------------------------------------------------------------------------


@extend_schema(tags=["categories"])
@extend_schema_view(
    list=extend_schema(summary="List categories", description="Inactive ones for moderators."),
    retrieve=extend_schema(summary="Get a category"),
    create=extend_schema(summary="Create a category (moderators)"),
    update=extend_schema(summary="Replace a category (moderators)"),
    partial_update=extend_schema(summary="Change a category (moderators)"),
    destroy=extend_schema(
        summary="Delete a category (moderators)",
        description="Its content stays, without a category.",
        responses={204: NO_CONTENT},
    ),
)
class CategoryViewSet(viewsets.ModelViewSet):
    queryset = Category.objects.none()
    serializer_class = s.CategorySerializer
    permission_classes = [IsModeratorOrReadOnly]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = CategoryFilter
    ordering_fields = ["position", "name"]
    ordering = ["position", "name"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Category.objects.none()
        return selectors.category_list(user=self.request.user)

    def get_object(self):
        return selectors.category_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = validated(s.CategorySerializer, request)
        category = services.category_create(**data)
        return Response(self.get_serializer(category).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        category = self.get_object()
        serializer = s.CategorySerializer(
            category, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        category = services.category_update(category=category, **serializer.validated_data)
        return Response(self.get_serializer(category).data)

    def destroy(self, request, *args, **kwargs):
        services.category_delete(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- artists -------------------------------------------------------------------------------


@extend_schema(tags=["artists"])
@extend_schema_view(
    list=extend_schema(
        summary="List artists",
        description="With their numbers of approved items. Filter content by `artist=`.",
    ),
    retrieve=extend_schema(summary="Get an artist"),
)
class ArtistViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Artist.objects.none()
    serializer_class = s.ArtistSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["name", "followers_count", "created_at"]
    ordering = ["name"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Artist.objects.none()
        return selectors.artist_list(user=self.request.user)

    def get_object(self):
        return selectors.artist_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Follow an artist",
        description="Idempotent: 201 when newly followed, 200 when already following.",
        request=None,
        responses={201: s.FollowResultSerializer, 200: s.FollowResultSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def follow(self, request, pk=None):
        artist = self.get_object()
        created, count = services.artist_follow(artist=artist, user=request.user)
        body = s.FollowResultSerializer({"is_following": True, "followers_count": count}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Unfollow an artist",
        description="Idempotent: 204 whether or not you were following.",
        request=None,
        responses={204: NO_CONTENT},
    )
    @follow.mapping.delete
    def unfollow(self, request, pk=None):
        services.artist_unfollow(artist=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="An artist's followers", responses={200: s.FollowerSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def followers(self, request, pk=None):
        artist = self.get_object()
        page = self.paginate_queryset(selectors.artist_followers(artist=artist))
        data = s.FollowerSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)
