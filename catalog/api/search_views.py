"""GET /search: approved content of every searchable kind and artists, best match first."""

from django.core.paginator import Page, Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from catalog.search import MAX_QUERY_LENGTH, SearchType, search
from cnt import signing
from cnt.api import images as api_images
from cnt.api.pagination import StandardPagination
from cnt.api.representation import FastRepresentation
from cnt.models import CONTENT_LANGUAGE_PATTERN
from media.models import AssetKind

DESCRIPTION_PREVIEW = 200
MAX_PAGE = 1000


class _Total:
    """Stands in for an object list whose length is known, for Django's Paginator."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total


class SearchPagination(StandardPagination):
    """The standard page shape; the search runs once, for the requested page only."""

    max_page_size = 50

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        number = self.get_page_number(request, None)
        if number in self.last_page_strings or number > MAX_PAGE:
            raise NotFound("Invalid page.")
        result = queryset.page(number, size)
        paginator = Paginator(_Total(result.total), size)
        if number > paginator.num_pages:
            raise NotFound("Invalid page.")
        self.page = Page(result.hits, number, paginator)
        self.mode = result.mode
        return result.hits

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["mode"] = self.mode
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["mode"] = {
            "type": "string",
            "enum": ["fulltext", "fuzzy", "substring", "none"],
            "description": (
                "How the results were found: `fulltext` (every word, as typed or as a "
                "prefix), `fuzzy` (typos corrected, or items with only some of the words), "
                "`substring` (servers without PostgreSQL)."
            ),
        }
        schema["required"] = [*schema.get("required", []), "mode"]
        return schema


class SearchArtistSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SearchMomentSerializer(FastRepresentation, serializers.Serializer):
    start = serializers.FloatField(help_text="Second the matching word was said.")
    end = serializers.FloatField(help_text="End of the matching passage, in seconds.")
    text = serializers.CharField(help_text="What was said there.")


class SearchResultSerializer(FastRepresentation, serializers.Serializer):
    """One hit; `type` says which resource `id` belongs to (artists have no artist)."""

    type = serializers.ChoiceField(choices=SearchType.choices)
    id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    artist = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    score = serializers.FloatField(help_text="Relevance; higher is better.")
    moments = SearchMomentSerializer(
        many=True,
        help_text="Where the words were said in the item (up to three, earliest first); "
        "empty when only the title, description or artist matched.",
    )

    def get_title(self, hit) -> str:
        return hit.obj.name if hit.type == SearchType.ARTIST else hit.obj.title

    def get_description(self, hit) -> str:
        text = hit.obj.bio if hit.type == SearchType.ARTIST else hit.obj.description
        return text[:DESCRIPTION_PREVIEW]

    @extend_schema_field(SearchArtistSerializer(allow_null=True))
    def get_artist(self, hit):
        artist = None if hit.type == SearchType.ARTIST else getattr(hit.obj, "artist", None)
        return {"id": artist.pk, "name": artist.name} if artist else None

    def _image_asset(self, hit):
        asset = hit.obj.cover_image if hit.type == SearchType.ARTIST else hit.obj.thumbnail
        return asset if asset is not None and asset.kind == AssetKind.IMAGE else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, hit):
        asset = self._image_asset(hit)
        if asset is None:
            return None
        request = self.context.get("request")
        url = api_images.default_rendition_url(request, asset, "thumbnail")
        return url or signing.playback_url(request, asset.id, "original")

    @api_images.image_field()
    def get_image(self, hit):
        asset = self._image_asset(hit)
        if asset is None:
            return None
        request = self.context.get("request")
        return api_images.responsive_image(
            request, asset, "thumbnail", signing.playback_url(request, asset.id, "original")
        )

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_duration_seconds(self, hit):
        """Seconds, a number as every duration in the API (null for artists)."""
        return None if hit.type == SearchType.ARTIST else float(hit.obj.duration_seconds)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    type = serializers.ChoiceField(choices=SearchType.choices, required=False)
    language = serializers.RegexField(CONTENT_LANGUAGE_PATTERN, max_length=3, required=False)


@extend_schema(
    tags=["search"],
    summary="Search content and artists",
    description=(
        "Full-text search over titles, artist names, tags and descriptions of approved "
        "podcasts, movies, music and Bible stories (scripture references too), over what "
        "is said in podcasts, movies and Bible stories (their transcripts; `moments` point "
        "at the seconds), and over artist names. Results are ranked (title "
        "matches first); a very broad term ranks its first few hundred matches per type. "
        "When nothing (or only weak matches) has every word, misspelt words are corrected "
        "against the catalogue's vocabulary, and failing that items with any of the words "
        "are ranked; `mode` says which happened."
    ),
    parameters=[
        OpenApiParameter(
            "q", OpenApiTypes.STR, required=True, description="What to look for (≤ 100 chars)."
        ),
        OpenApiParameter(
            "type",
            OpenApiTypes.STR,
            enum=SearchType.values,
            description="Only this kind of result; all kinds when absent.",
        ),
        OpenApiParameter(
            "language",
            OpenApiTypes.STR,
            pattern=CONTENT_LANGUAGE_PATTERN,
            description="Only content in this language (ISO 639: en, fr); artists drop out.",
        ),
    ],
)
class SearchView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = SearchResultSerializer
    pagination_class = SearchPagination
    filter_backends = []

    def get_queryset(self):
        params = SearchQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        kind = params.validated_data.get("type")
        return search(
            query=params.validated_data["q"],
            types=[kind] if kind else None,
            language=params.validated_data.get("language"),
        )
