"""`GET me/recommendations` and `GET {type}/{id}/related`: parse, ask the recommendations
selectors (catalog/recommendations/selectors.py), page and serialize (cached summaries,
catalog/read_cache.py). Routes in urls.py."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from catalog import kinds, read_cache
from catalog.api.serializers import ContentSummarySerializer
from catalog.recommendations import selectors as recommendations
from cnt.api.pagination import StandardPagination
from cnt.api.serializers import EnumField
from cnt.errors import NotFound
from cnt.models import CONTENT_LANGUAGE_PATTERN
from media.api.serializers import request_quality

TAGS = ["recommendations"]


def _playable_names() -> list[str]:
    return [kind.name for kind in kinds.playable_kinds()]


class RecommendationQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=_playable_names(), required=False)
    language = serializers.RegexField(CONTENT_LANGUAGE_PATTERN, required=False)


class RecommendationSerializer(serializers.Serializer):
    """One recommended item and why; `page_data` serializes a page of them at once."""

    reason = EnumField(
        recommendations.Reason.choices, "RecommendationReasonEnum", help_text="Why it is here."
    )
    item = ContentSummarySerializer()

    @classmethod
    def page_data(cls, picks, *, context) -> list[dict]:
        """The page's items from the summary cache (catalog/read_cache.py); the others are
        read (one query per kind) and serialized by one ContentSummarySerializer, then
        cached. A pick that is not approved any more is left out."""
        request = context["request"]
        # The URLs differ by origin and by the viewer's quality preference, nothing else.
        origin = f"{request.scheme}://{request.get_host()} {request_quality(request)}"
        found = read_cache.summaries_get(refs=[p.ref for p in picks], origin=origin)
        missing = [pick for pick in picks if pick.ref not in found]
        if missing:
            rows = recommendations.picks_with_content(picks=missing)
            items = ContentSummarySerializer([o for _, o in rows], many=True, context=context)
            fresh = {pick.ref: item for (pick, _), item in zip(rows, items.data, strict=True)}
            read_cache.summaries_set(summaries=fresh, origin=origin)
            found.update(fresh)
        return [{"reason": p.reason, "item": found[p.ref]} for p in picks if p.ref in found]


class RecommendationPagination(StandardPagination):
    page_size = 20
    max_page_size = 50


TYPE_FILTER = OpenApiParameter(
    "type",
    OpenApiTypes.STR,
    enum=_playable_names(),
    description="Only items of this content kind; every playable kind when absent.",
)
LANGUAGE_FILTER = OpenApiParameter(
    "language",
    OpenApiTypes.STR,
    pattern=CONTENT_LANGUAGE_PATTERN,
    description="Only content in this language (ISO 639 code: en, fr).",
)


class _PicksView(generics.ListAPIView):
    serializer_class = RecommendationSerializer
    pagination_class = RecommendationPagination
    filter_backends: list = []

    def picks(self, item_type, language):
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        params = RecommendationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        picks = self.picks(query.get("type"), query.get("language"))
        page = self.paginate_queryset(picks)
        data = RecommendationSerializer.page_data(page, context=self.get_serializer_context())
        return self.get_paginated_response(data)


@extend_schema(
    tags=TAGS,
    summary="What to play next",
    description=(
        "Approved items you have not finished (and did not publish), best first, at most "
        f"{recommendations.MAX_RESULTS}: what listeners who played what you played also "
        "played, items of artists you follow and of the categories you listen to, and "
        "trending items (all a new listener gets). At most "
        "RECOMMENDATIONS_PER_ARTIST items (2 by default) of one artist. Updated from plays and "
        "playlist saves every few minutes; `reason` says why each item is there."
    ),
    parameters=[TYPE_FILTER, LANGUAGE_FILTER],
)
class RecommendationsView(_PicksView):
    permission_classes = [IsAuthenticated]

    def picks(self, item_type, language):
        return recommendations.recommendations_for_user(
            user=self.request.user, item_type=item_type, language=language
        )


CONTENT_TYPE = OpenApiParameter(
    "content_type",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=_playable_names(),
    description="The content kind.",
)
OBJECT_ID = OpenApiParameter("object_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(
    tags=TAGS,
    summary="Items like this one",
    description=(
        "What listeners of this item also played, then approved items of its artist and of "
        "its category; at most RECOMMENDATIONS_PER_ARTIST items (2 by default) of one artist. "
        "An item you cannot see is a 404."
    ),
    parameters=[CONTENT_TYPE, OBJECT_ID, TYPE_FILTER, LANGUAGE_FILTER],
)
class RelatedView(_PicksView):
    permission_classes = [AllowAny]

    def picks(self, item_type, language):
        try:
            kind = kinds.kind_get(self.kwargs["content_type"])
        except kinds.UnknownContentKind:
            raise NotFound()
        if not kind.is_playable:
            raise NotFound()
        return recommendations.related_items(
            user=self.request.user,
            kind=kind,
            pk=int(self.kwargs["object_id"]),
            item_type=item_type,
            language=language,
        )
