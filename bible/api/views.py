"""Bible API: parse -> call a selector or service -> serialize. Routes in urls.py.

Permission policy: reads are open (what is hidden answers 404); documents are written by
moderators (403 for other signed-in users); stories by any signed-in user, changed by their
owner only (403 when visible, 404 when not).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import (
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.response import Response

from bible import policies, selectors, services
from bible.api import serializers as s
from bible.models import BibleStory, DocumentAsset, ScriptureLink
from catalog.api.viewsets import PlaybackProgressMixin
from catalog.models import ContentType
from cnt.api.permissions import WritePolicyOrReadOnly
from cnt.api.routers import ID_PATTERN, NO_CONTENT
from cnt.api.serializers import validated


class CanManageDocumentsOrReadOnly(WritePolicyOrReadOnly):
    write_policy = staticmethod(policies.can_manage_documents)


# --- documents -----------------------------------------------------------------------------


@extend_schema(tags=["bible"])
@extend_schema_view(
    list=extend_schema(
        summary="List Bible documents",
        description="Published documents by title, with signed `file_url` and `cover_url`.",
    ),
    retrieve=extend_schema(summary="Get a Bible document"),
    create=extend_schema(
        summary="Add a Bible document (moderators)",
        description=(
            "From a PDF uploaded with `upload/document`: the page count comes from the upload "
            "and a cover is rendered from page 1."
        ),
        request=s.BibleDocumentWriteSerializer,
        responses={201: s.BibleDocumentSerializer},
    ),
    update=extend_schema(
        summary="Replace a document's details (moderators)",
        request=s.BibleDocumentUpdateSerializer,
        responses={200: s.BibleDocumentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a document's details (moderators)",
        request=s.BibleDocumentUpdateSerializer,
        responses={200: s.BibleDocumentSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a document (moderators)",
        description="Its PDF and cover are deleted too.",
        responses={204: NO_CONTENT},
    ),
)
class DocumentViewSet(viewsets.ModelViewSet):
    queryset = DocumentAsset.objects.none()
    serializer_class = s.BibleDocumentSerializer
    permission_classes = [CanManageDocumentsOrReadOnly]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DocumentAsset.objects.none()
        return selectors.document_list(user=self.request.user)

    def get_object(self):
        return selectors.document_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, document, code=status.HTTP_200_OK):
        fresh = selectors.document_get_for_user(user=self.request.user, pk=document.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(s.BibleDocumentWriteSerializer, request)
        document = services.document_create(user=request.user, **data)
        return self._respond(document, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        document = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated(s.BibleDocumentUpdateSerializer, request, partial=partial)
        document = services.document_update(document=document, **data)
        return self._respond(document)

    def destroy(self, request, *args, **kwargs):
        services.document_delete(document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Open a document",
        description="Counts a download and answers the document with a fresh signed URL.",
        request=None,
        responses={200: s.BibleDocumentSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def open(self, request, pk=None):
        document = self.get_object()
        document.download_count = services.document_open(document=document)
        return Response(self.get_serializer(document).data)


# --- stories -------------------------------------------------------------------------------


@extend_schema(tags=["bible"])
@extend_schema_view(
    list=extend_schema(
        summary="List Bible stories",
        description=(
            "The approved stories, newest first. `reference` keeps those tagged with an "
            "overlapping passage; `mine=true` lists your own in every state."
        ),
        parameters=[s.BibleStoryQuerySerializer],
    ),
    retrieve=extend_schema(
        summary="Get a Bible story",
        description="Approved stories for everyone; owners and moderators see any state.",
    ),
    create=extend_schema(
        summary="Publish a Bible story",
        description=(
            "From a video and/or audio you uploaded. Waits for review (`pending`) unless your "
            "artist profile is trusted. `scripture_reference` is parsed and stored normalised "
            "(“Jn 3:16” becomes “John 3:16”)."
        ),
        request=s.BibleStoryWriteSerializer,
        responses={201: s.BibleStorySerializer},
    ),
    update=extend_schema(
        summary="Replace a Bible story (owner)",
        description="New media on an approved story sends it back to review.",
        request=s.BibleStoryWriteSerializer,
        responses={200: s.BibleStorySerializer},
    ),
    partial_update=extend_schema(
        summary="Change a Bible story (owner)",
        description="New media on an approved story sends it back to review.",
        request=s.BibleStoryWriteSerializer,
        responses={200: s.BibleStorySerializer},
    ),
    destroy=extend_schema(summary="Delete a Bible story (owner)", responses={204: NO_CONTENT}),
)
@extend_schema_view(progress=extend_schema(summary="Report the playback position in a story"))
class StoryViewSet(PlaybackProgressMixin, viewsets.ModelViewSet):
    queryset = BibleStory.objects.none()
    serializer_class = s.BibleStorySerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BibleStory.objects.none()
        query = validated(s.BibleStoryQuerySerializer, self.request, data=self.request.query_params)
        return selectors.story_list(
            user=self.request.user,
            passages=query.get("reference"),
            status=query.get("status"),
            mine=query["mine"],
            category_id=query.get("category"),
        )

    def get_object(self):
        return selectors.story_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else None
        stories = instance if isinstance(instance, list) else [instance] if instance else []
        links = selectors.links_for(
            content_type=ContentType.BIBLE_STORY, object_ids=[story.pk for story in stories]
        )
        context = {**self.get_serializer_context(), **kwargs.pop("context", {}), "links": links}
        return self.serializer_class(*args, context=context, **kwargs)

    def _editable_object(self):
        story = self.get_object()
        if not policies.can_edit_story(self.request.user, story):
            raise PermissionDenied("Only the owner can change this story.")
        return story

    def _respond(self, story, code=status.HTTP_200_OK):
        fresh = selectors.story_get_for_user(user=self.request.user, pk=story.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated(s.BibleStoryWriteSerializer, request)
        story = services.story_create(user=request.user, **data)
        return self._respond(story, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        story = self._editable_object()
        partial = kwargs.get("partial", False)
        data = validated(s.BibleStoryWriteSerializer, request, partial=partial)
        story = services.story_update(story=story, user=request.user, **data)
        return self._respond(story)

    def destroy(self, request, *args, **kwargs):
        services.story_delete(story=self._editable_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- passage search ------------------------------------------------------------------------


@extend_schema(tags=["bible"])
class PassageViewSet(viewsets.GenericViewSet):
    """`bible/passages?reference=`: approved stories and podcasts about a passage."""

    queryset = ScriptureLink.objects.none()
    serializer_class = s.ScripturePassageHitSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list = []

    @extend_schema(
        summary="Stories and podcasts about a passage",
        description=(
            "Approved Bible stories and podcasts tagged with a passage overlapping "
            "`reference` (e.g. “John 3:16” finds items tagged “John 3:1-21”), in Bible order."
        ),
        parameters=[s.ScripturePassageQuerySerializer],
        responses={200: s.ScripturePassageHitSerializer(many=True)},
    )
    def list(self, request):
        passages = validated(s.ScripturePassageQuerySerializer, request, data=request.query_params)[
            "reference"
        ]
        matches = selectors.passage_matches(user=request.user, passages=passages)
        page = self.paginate_queryset(matches)
        context = self.get_serializer_context()
        data = [
            s.ScripturePassageHitSerializer.build(
                content_type=content_type,
                obj=obj,
                links=links,
                passages=passages,
                context=context,
            )
            for content_type, obj, links in selectors.passage_items(matches=page)
        ]
        return self.get_paginated_response(data)
