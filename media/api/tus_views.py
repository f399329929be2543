"""tus 1.0.0 resumable uploads: read the protocol headers -> call media.tus -> answer with
tus headers. Chunk bodies never pass through DRF parsers; they are streamed to disk."""

from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cnt.api.authentication import JWTAuthentication
from cnt.api.exceptions import status_for_error
from cnt.api.serializers import ErrorSerializer
from media import tus
from media.models import TusUpload

TAGS = ["uploads"]
HEADER = OpenApiParameter.HEADER


def _request_header(name: str, description: str, *, required=False, type=str, **kwargs):
    return OpenApiParameter(
        name, type, HEADER, required=required, description=description, **kwargs
    )


def _response_header(name: str, description: str, codes: list[int], type=str):
    return OpenApiParameter(name, type, HEADER, description=description, response=codes)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


TUS_RESUMABLE = _request_header(
    "Tus-Resumable", "The tus protocol version.", required=True, enum=[tus.TUS_VERSION]
)
UPLOAD_ID = OpenApiParameter("upload_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
PRECONDITION_FAILED = _error(
    "Missing or unsupported Tus-Resumable; the Tus-Version header lists what is supported."
)
GONE = _error("The unfinished upload expired (or its data was lost); start a new upload.")


def _tus_response_header(codes: list[int]):
    return _response_header("Tus-Resumable", "The tus protocol version.", codes)


def _upload_headers(upload: TusUpload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset)}
    if upload.completed_at is None:
        headers["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    if upload.asset_id:
        headers["Upload-Asset-Id"] = str(upload.asset_id)
    return headers


def _capabilities() -> dict[str, str]:
    return {
        "Tus-Version": tus.TUS_VERSION,
        "Tus-Extension": ",".join(tus.TUS_EXTENSIONS),
        "Tus-Max-Size": str(tus.max_size()),
        "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
    }


class TusView(APIView):
    """Shared tus plumbing: JWT only, no body parsing, version check, tus response headers.

    OPTIONS (capability discovery) is open to anyone and needs no Tus-Resumable.
    """

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes: list = []
    renderer_classes = [JSONRenderer]
    # Methods a client may tunnel through POST with X-HTTP-Method-Override (tus 1.0 asks for it).
    method_overrides: frozenset[str] = frozenset()

    def setup(self, request, *args, **kwargs):
        override = request.META.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
        if request.method == "POST" and override in self.method_overrides:
            request.method = override
        super().setup(request, *args, **kwargs)

    def _is_options(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.method == "OPTIONS"

    def get_authenticators(self):
        if self._is_options():
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self._is_options():
            return [AllowAny()]
        return super().get_permissions()

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "OPTIONS":
            tus.check_version(request.headers.get("Tus-Resumable"))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = tus.TUS_VERSION
        response["Cache-Control"] = "no-store"
        if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
            response["Tus-Version"] = tus.TUS_VERSION
        elif response.status_code == status_for_error(tus.ChecksumMismatch()):
            response.reason_phrase = "Checksum Mismatch"
        return response

    def options(self, request, *args, **kwargs):
        return Response(status=status.HTTP_204_NO_CONTENT, headers=_capabilities())


class TusUploadListView(TusView):
    @extend_schema(
        tags=TAGS,
        operation_id="uploads_create",
        summary="Start a resumable upload (tus creation)",
        description=(
            "tus 1.0.0 creation. `Upload-Metadata` must carry `kind` (`audio`, `video`, "
            "`image`, `document`, or a purpose: `bible_story`, `quote`, `thumbnail`, "
            "`movie_poster`, `profile`) and may carry `filename`. Documents are for "
            "moderators. The size is checked against the kind's limit before anything is "
            "stored. Send the bytes with PATCH to the returned `Location`."
        ),
        request=None,
        parameters=[
            TUS_RESUMABLE,
            _request_header(
                "Upload-Length",
                "Total size of the file in bytes.",
                required=True,
                type=OpenApiTypes.INT64,
            ),
            _request_header(
                "Upload-Metadata",
                "Comma-separated `key base64(value)` pairs, e.g. "
                "`kind YXVkaW8=,filename c2VybW9uLm1wMw==`.",
                required=True,
            ),
            _request_header("Upload-Defer-Length", "Not supported: always a 400."),
            _response_header("Location", "Absolute URL of the new upload.", [201]),
            _response_header(
                "Upload-Expires", "When the unfinished upload is deleted (RFC 7231).", [201]
            ),
            _tus_response_header([201, 400, 403, 412, 413]),
        ],
        responses={
            201: OpenApiResponse(description="Created; PATCH the bytes to `Location`."),
            400: _error("Missing or malformed Upload-Length or Upload-Metadata, or length 0."),
            403: _error("Documents are for moderators."),
            412: PRECONDITION_FAILED,
            413: _error("Upload-Length exceeds the limit for this kind."),
        },
    )
    def post(self, request, *args, **kwargs):
        if "Upload-Defer-Length" in request.headers:
            raise exceptions.ParseError(
                "Upload-Defer-Length is not supported; send Upload-Length.", "invalid_header"
            )
        length = tus.parse_length(request.headers.get("Upload-Length"), "Upload-Length")
        metadata = tus.parse_metadata(request.headers.get("Upload-Metadata"))
        upload = tus.tus_upload_create(owner=request.user, upload_length=length, metadata=metadata)
        location = request.build_absolute_uri(
            reverse("tus-upload", kwargs={"upload_id": str(upload.id)})
        )
        return Response(
            status=status.HTTP_201_CREATED,
            headers={
                "Location": location,
                "Upload-Expires": http_date(upload.expires_at.timestamp()),
            },
        )


class TusUploadView(TusView):
    method_overrides = frozenset({"PATCH", "DELETE"})

    def head(self, request, upload_id, *args, **kwargs):
        upload = tus.tus_upload_get_for_user(user=request.user, upload_id=upload_id)
        headers = {**_upload_headers(upload), "Upload-Length": str(upload.upload_length)}
        if upload.metadata:
            headers["Upload-Metadata"] = tus.encode_metadata(upload.metadata)
        return Response(status=status.HTTP_200_OK, headers=headers)

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_append",
        summary="Append a chunk (tus core + checksum)",
        description=(
            "Writes the body at `Upload-Offset`, which must equal the server's offset (ask "
            "with HEAD after an interruption). With `Upload-Checksum` the chunk is verified "
            "and discarded on mismatch (460). The request that completes the upload "
            "validates the file and answers with `Upload-Asset-Id`; a file that is not "
            "acceptable media is answered with its 4xx and the upload is deleted."
        ),
        request={tus.CHUNK_CONTENT_TYPE: OpenApiTypes.BINARY},
        parameters=[
            UPLOAD_ID,
            TUS_RESUMABLE,
            _request_header(
                "Upload-Offset",
                "Where this chunk starts; must equal the upload's current offset.",
                required=True,
                type=OpenApiTypes.INT64,
            ),
            _request_header(
                "Upload-Checksum",
                "`<sha1|sha256|md5> <base64 digest of this chunk>`.",
            ),
            _response_header("Upload-Offset", "The new offset.", [204], OpenApiTypes.INT64),
            _response_header(
                "Upload-Expires", "When the unfinished upload is deleted (RFC 7231).", [204]
            ),
            _response_header(
                "Upload-Asset-Id",
                "The MediaAsset made from the finished upload (on the last chunk).",
                [204],
                type=OpenApiTypes.UUID,
            ),
            _tus_response_header([204, 400, 404, 409, 410, 412, 413, 415, 460]),
        ],
        responses={
            204: OpenApiResponse(description="Chunk stored."),
            400: _error(
                "Bad headers, unsupported checksum algorithm, a chunk past Upload-Length, "
                "a body cut short, or (on the last chunk) a file that is not acceptable media."
            ),
            404: _error("No such upload of yours."),
            409: _error("Upload-Offset does not match, or another request is writing."),
            410: GONE,
            412: PRECONDITION_FAILED,
            413: _error("The finished file is larger than allowed."),
            415: _error("Content-Type must be application/offset+octet-stream."),
            460: _error("The chunk does not match Upload-Checksum; it was discarded."),
        },
    )
    def patch(self, request, upload_id, *args, **kwargs):
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type != tus.CHUNK_CONTENT_TYPE:
            raise exceptions.UnsupportedMediaType(content_type or "(none)")
        offset = tus.parse_length(request.headers.get("Upload-Offset"), "Upload-Offset")
        checksum = tus.parse_checksum(request.headers.get("Upload-Checksum"))
        length = tus.parse_body_length(request.META)
        upload = tus.tus_upload_append(
            user=request.user,
            upload_id=upload_id,
            offset=offset,
            length=length,
            stream=request.stream,
            checksum=checksum,
        )
        return Response(status=status.HTTP_204_NO_CONTENT, headers=_upload_headers(upload))

    @extend_schema(
        tags=TAGS,
        operation_id="uploads_terminate",
        summary="Cancel an upload (tus termination)",
        description="Deletes the upload and the bytes received so far.",
        request=None,
        parameters=[UPLOAD_ID, TUS_RESUMABLE, _tus_response_header([204, 404, 409, 412])],
        responses={
            204: OpenApiResponse(description="Deleted."),
            404: _error("No such upload of yours."),
            409: _error("Another request is writing to this upload."),
            412: PRECONDITION_FAILED,
        },
    )
    def delete(self, request, upload_id, *args, **kwargs):
        tus.tus_upload_terminate(user=request.user, upload_id=upload_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- OpenAPI: HEAD and OPTIONS ------------------------------------------------------------
# drf-spectacular never emits HEAD or OPTIONS operations; this postprocessing hook adds them
# next to the operations above (append it to SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).


def _header_param(name: str, description: str, required: bool, schema: dict) -> dict:
    return {
        "in": "header",
        "name": name,
        "required": required,
        "description": description,
        "schema": schema,
    }


def _headers(**headers: tuple[str, dict]) -> dict:
    return {
        name.replace("_", "-"): {"description": description, "schema": schema}
        for name, (description, schema) in headers.items()
    }


_STRING = {"type": "string"}
_INT64 = {"type": "integer", "format": "int64"}
_TUS_RESUMABLE_PARAM = _header_param(
    "Tus-Resumable", "The tus protocol version.", True, {"type": "string", "enum": ["1.0.0"]}
)
_BEARER = [{"jwtAuth": []}]


def _options_operation(operation_id: str, path_params: list | None = None) -> dict:
    operation = {
        "operationId": operation_id,
        "summary": "tus capabilities (no authentication needed)",
        "tags": TAGS,
        "security": [{}],
        "responses": {
            "204": {
                "description": "What this server supports.",
                "headers": _headers(
                    Tus_Resumable=("The tus protocol version.", _STRING),
                    Tus_Version=("Supported tus versions.", _STRING),
                    Tus_Extension=("Supported extensions.", _STRING),
                    Tus_Max_Size=("Largest upload accepted, in bytes.", _INT64),
                    Tus_Checksum_Algorithm=("Supported Upload-Checksum algorithms.", _STRING),
                ),
            }
        },
    }
    if path_params:
        operation["parameters"] = path_params
    return operation


def _head_operation(path_params: list) -> dict:
    no_body = "No body (HEAD)."
    return {
        "operationId": "uploads_status",
        "summary": "Where an upload stands (tus core)",
        "description": (
            "The offset to resume from, the total length, the metadata sent at creation, "
            "when an unfinished upload expires and, once finished, the asset made from it."
        ),
        "tags": TAGS,
        "security": _BEARER,
        "parameters": [*path_params, _TUS_RESUMABLE_PARAM],
        "responses": {
            "200": {
                "description": "The upload's state.",
                "headers": _headers(
                    Upload_Offset=("Bytes received so far.", _INT64),
                    Upload_Length=("Total size in bytes.", _INT64),
                    Upload_Metadata=("The metadata sent at creation.", _STRING),
                    Upload_Expires=("When the unfinished upload is deleted.", _STRING),
                    Upload_Asset_Id=(
                        "The asset made from the finished upload.",
                        {"type": "string", "format": "uuid"},
                    ),
                    Cache_Control=("Always no-store.", _STRING),
                    Tus_Resumable=("The tus protocol version.", _STRING),
                ),
            },
            "401": {"description": f"Missing or invalid credentials. {no_body}"},
            "404": {"description": f"No such upload of yours. {no_body}"},
            "410": {"description": f"The unfinished upload expired. {no_body}"},
            "412": {"description": f"Missing or unsupported Tus-Resumable. {no_body}"},
        },
    }


def add_tus_operations(result, generator, request, public):
    """Postprocessing hook: document OPTIONS on both tus paths and HEAD on an upload."""
    for item in result.get("paths", {}).values():
        operation_ids = {op.get("operationId") for op in item.values() if isinstance(op, dict)}
        if "uploads_create" in operation_ids:
            item.setdefault("options", _options_operation("uploads_capabilities"))
        if "uploads_append" in operation_ids:
            path_params = [p for p in item["patch"].get("parameters", []) if p["in"] == "path"]
            item.setdefault("head", _head_operation(path_params))
            item.setdefault(
                "options", _options_operation("uploads_upload_capabilities", path_params)
            )
    return result
