"""Editing endpoints: audio and video edit jobs, and generated quote images.

Views validate the request's shape, call media.editing's services and serialize; every
check against the real media happens in the service, which names the field at fault.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cnt.api.serializers import ErrorSerializer
from cnt.errors import InvalidInput
from media.api.serializers import AssetSerializer
from media.editing import commands, quotes, selectors, services
from media.editing.fields import MAX_MERGE_SOURCES
from media.editing.operations import (
    AUDIO,
    MAX_OPERATIONS,
    OPERATIONS,
    TYPED,
    VIDEO,
    OperationSpec,
    operation_type,
    validate_operation,
)
from media.models import EditJob

UUID_RE = "[0-9a-fA-F-]{36}"
JOB_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Job id")


# --- serializers ----------------------------------------------------------------------------


class EditJobSerializer(serializers.ModelSerializer):
    """An edit job; `result` is the new asset once the job has succeeded."""

    result = AssetSerializer(read_only=True, allow_null=True)
    sources = serializers.ListField(child=serializers.UUIDField(), read_only=True)
    operations = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = EditJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "error",
            "sources",
            "operations",
            "output_format",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


def _operation_field(kind: str):
    proxy = PolymorphicProxySerializer(
        component_name=f"{kind.capitalize()}Operation",
        serializers={name: TYPED[name] for name in OPERATIONS[kind]},
        resource_type_field_name="type",
    )

    @extend_schema_field(proxy)
    class OperationField(serializers.Field):
        def to_internal_value(self, data):
            return validate_operation(kind, data)

        def to_representation(self, value):
            return value

    OperationField.__name__ = f"{kind.capitalize()}OperationField"
    return OperationField


AudioOperationField = _operation_field(AUDIO)
VideoOperationField = _operation_field(VIDEO)


class VideoOutputFormatField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            default="mp4",
            help_text="Always mp4 (H.264 video, AAC sound).",
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data).lower()
        if value not in commands.VIDEO_OUTPUT_FORMATS:
            raise serializers.ValidationError("Video edits are written as mp4.")
        return value


def audio_output_format() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=list(commands.AUDIO_OUTPUT_FORMATS),
        default="aac",
        help_text="aac (an .m4a file) or mp3.",
    )


class AudioEditSerializer(serializers.Serializer):
    """An audio edit: operations applied in order to one of your ready audio assets (or,
    starting with `merge`, to several)."""

    source = serializers.UUIDField(required=False, help_text="Your ready audio asset.")
    sources = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=MAX_MERGE_SOURCES,
        help_text="With a first `merge` operation: the assets to join (or put them in it).",
    )
    operations = serializers.ListField(
        child=AudioOperationField(), min_length=1, max_length=MAX_OPERATIONS
    )
    output_format = audio_output_format()

    def to_internal_value(self, data):
        # `sources` may sit at the top level instead of inside the first (merge) operation.
        if isinstance(data, dict) and data.get("sources") is not None:
            ops = data.get("operations")
            if (
                isinstance(ops, list)
                and ops
                and isinstance(ops[0], dict)
                and operation_type(ops[0]) == "merge"
                and "sources" not in ops[0]
            ):
                data = {**data, "operations": [{**ops[0], "sources": data["sources"]}, *ops[1:]]}
        return super().to_internal_value(data)

    def validate(self, attrs):
        if attrs.get("sources") is not None and attrs["operations"][0]["type"] != "merge":
            raise serializers.ValidationError(
                {"sources": ["Only a job starting with `merge` takes `sources`."]}
            )
        return attrs


class VideoEditSerializer(serializers.Serializer):
    """A video edit: operations applied in order, in one FFmpeg pass, to one of your ready
    video assets."""

    source = serializers.UUIDField(help_text="Your ready video asset.")
    operations = serializers.ListField(
        child=VideoOperationField(), min_length=1, max_length=MAX_OPERATIONS
    )
    output_format = VideoOutputFormatField()


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def shortcut_serializer(kind: str, spec: OperationSpec) -> type[serializers.Serializer]:
    """One operation's fields at the top level, plus the source and the output format."""
    extra = {"__module__": __name__, "__doc__": f"{spec.summary} (one-operation edit)."}
    if spec.type != "merge":
        extra["source"] = serializers.UUIDField(help_text=f"Your ready {kind} asset.")
    extra["output_format"] = audio_output_format() if kind == AUDIO else VideoOutputFormatField()
    name = f"{kind.capitalize()}{_camel(spec.type)}EditSerializer"
    return type(name, (spec.fields,), extra)


def _lift(exc: ValidationError | InvalidInput) -> ValidationError | InvalidInput:
    """Errors of a one-operation edit name its fields at the top level, as it was sent."""
    if isinstance(exc, InvalidInput):
        return _lift_fields(exc)
    detail = exc.detail
    if not isinstance(detail, dict) or not isinstance(detail.get("operations"), dict):
        return exc
    inner = detail["operations"].get(0, detail["operations"].get("0"))
    if inner is None:
        return exc
    rest = {key: value for key, value in detail.items() if key != "operations"}
    if isinstance(inner, dict):
        return ValidationError({**inner, **rest})
    return ValidationError({"non_field_errors": inner, **rest})


def _lift_fields(exc: InvalidInput) -> InvalidInput:
    """The same for a service's field errors, whose names are dotted paths."""
    lifted, rest = {}, {}
    for name, messages in (exc.errors or {}).items():
        if name == "operations.0":
            lifted["non_field_errors"] = messages
        elif name.startswith("operations.0."):
            lifted[name.removeprefix("operations.0.")] = messages
        elif not name.startswith("operations."):
            rest[name] = messages
    return InvalidInput(errors={**lifted, **rest}) if lifted else exc


# --- edit jobs ------------------------------------------------------------------------------


class EditCreateView(APIView):
    permission_classes = [IsAuthenticated]
    kind = AUDIO
    serializer_class: type[serializers.Serializer] = AudioEditSerializer
    operation: str | None = None  # set on one-operation shortcuts

    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        output_format = data.pop("output_format", "")
        if self.operation:
            source = data.pop("source", None)
            operations = [{"type": self.operation, **data}]
        else:
            source, operations = data.get("source"), data["operations"]
        try:
            job = services.edit_job_create(
                owner=request.user,
                kind=self.kind,
                source=source,
                operations=operations,
                output_format=output_format,
            )
        except (ValidationError, InvalidInput) as exc:
            raise _lift(exc) if self.operation else exc
        body = EditJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


def _create_view(kind: str, serializer, summary: str, operation: str | None = None):
    view = type(
        f"{kind.capitalize()}{_camel(operation or 'edit')}View",
        (EditCreateView,),
        {
            "__module__": __name__,
            "kind": kind,
            "serializer_class": serializer,
            "operation": operation,
        },
    )

    # A function of its own per view: extend_schema annotates the function it is given.
    def post(self, request):
        return EditCreateView.post(self, request)

    view.post = extend_schema(
        summary=summary, tags=["editing"], request=serializer, responses={202: EditJobSerializer}
    )(post)
    return view


AudioEditView = _create_view(
    AUDIO, AudioEditSerializer, "Edit audio: trim, merge, fade, normalize (queued job)"
)
VideoEditView = _create_view(
    VIDEO,
    VideoEditSerializer,
    "Edit video: several operations in one pass (queued job)",
)
SHORTCUT_VIEWS = {
    kind: {
        name: _create_view(kind, shortcut_serializer(kind, spec), spec.summary, name)
        for name, spec in OPERATIONS[kind].items()
    }
    for kind in (AUDIO, VIDEO)
}


class EditJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your edit jobs of one kind: list (newest first), one job, cancel."""

    kind = AUDIO
    serializer_class = EditJobSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = UUID_RE
    filter_backends = []
    queryset = EditJob.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EditJob.objects.none()
        return selectors.edit_job_list_for_owner(user=self.request.user, kind=self.kind)

    def get_object(self):
        return selectors.edit_job_get_for_user(
            user=self.request.user, job_id=self.kwargs["pk"], kind=self.kind
        )

    def destroy(self, request, *args, **kwargs):
        job = services.edit_job_cancel(job=self.get_object())
        body = EditJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


def _job_viewset(kind: str):
    label = "audio" if kind == AUDIO else "video"
    return extend_schema_view(
        list=extend_schema(summary=f"Your {label} edit jobs, newest first", tags=["editing"]),
        retrieve=extend_schema(
            summary=f"One {label} edit job", tags=["editing"], parameters=[JOB_ID]
        ),
        destroy=extend_schema(
            summary=f"Cancel a queued or running {label} edit job",
            tags=["editing"],
            parameters=[JOB_ID],
            request=None,
            responses={202: EditJobSerializer, 409: ErrorSerializer},
        ),
    )(
        type(
            f"{kind.capitalize()}EditJobViewSet",
            (EditJobViewSet,),
            {"__module__": __name__, "kind": kind},
        )
    )


AudioEditJobViewSet = _job_viewset(AUDIO)
VideoEditJobViewSet = _job_viewset(VIDEO)


# --- quotes ---------------------------------------------------------------------------------


class QuoteCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Render a quote image (square or story) and store it as your asset",
        tags=["quotes"],
        request=quotes.QuoteCreateSerializer,
        responses={201: AssetSerializer},
    )
    def post(self, request):
        serializer = quotes.QuoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = quotes.quote_image_create(owner=request.user, **serializer.validated_data)
        body = AssetSerializer(asset, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
