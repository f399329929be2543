"""OpenAPI helpers: every operation documents the shared error responses; list serializers
document their bounds."""

from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.permissions import AllowAny


class JWTScheme(SimpleJWTScheme):
    """The API's Bearer token check (cnt.api.authentication) is simplejwt's, documented alike."""

    target_class = "cnt.api.authentication.JWTAuthentication"


ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "The one error shape: a message, a stable `code` to branch on, and field errors "
        "under `errors` ({field: [messages]}, nested fields dotted)."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
    "additionalProperties": False,
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors name the fields), or a path or query the API refuses.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Authenticated but not allowed.",
    "404": "Not found (or not visible to you).",
    "409": "Conflicts with the current state.",
    "410": "Gone for good.",
    "412": "A protocol precondition does not hold.",
    "413": "Too large: the request body or the file exceeds what this operation accepts.",
    "415": "Unsupported content type or file type.",
    "422": "Well-formed but cannot be processed as sent.",
    "429": "Too many requests; wait the seconds Retry-After gives.",
    "460": "The chunk does not match its checksum (tus); it was discarded.",
    "502": "An external service refused the request.",
    "503": "A dependency or external service is unavailable or not configured.",
}

# Codes the framework itself answers with, beside the project's own (cnt.errors and each
# app's subclasses), by status.
FRAMEWORK_CODES = {
    "400": ["invalid", "parse_error"],
    "401": ["not_authenticated", "authentication_failed", "token_not_valid"],
    "403": ["permission_denied"],
    "404": ["not_found"],
    "405": ["method_not_allowed"],
    "406": ["not_acceptable"],
    "415": ["unsupported_media_type"],
    "429": ["throttled"],
    "503": ["service_unavailable"],
}

WRITE_METHODS = {"post", "put", "patch", "delete"}
ALWAYS = ("401", "429", "503")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_codes_by_status() -> dict[str, list[str]]:
    """Every `code` a client can branch on, by the status it comes with: the framework's
    and each ApplicationError subclass's default code (the vocabulary's one home is
    cnt/errors.py and the domain errors that subclass it)."""
    from cnt import errors
    from cnt.api.exceptions import status_for_error

    codes = {status: list(values) for status, values in FRAMEWORK_CODES.items()}
    for cls in _subclasses(errors.ApplicationError):
        status = str(status_for_error(cls.__new__(cls)))
        values = codes.setdefault(status, [])
        if cls.default_code not in values:
            values.append(cls.default_code)
    return dict(sorted(codes.items()))


def _error_response(code: str, codes: dict[str, list[str]], ref: dict) -> dict:
    described = ERROR_DESCRIPTIONS.get(code, "An error.")
    if codes.get(code):
        described += " Codes: " + ", ".join(f"`{value}`" for value in codes[code]) + "."
    response = {"description": described, "content": {"application/json": {"schema": ref}}}
    if code == "429":
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    return response


def _error_schema(codes: dict[str, list[str]]) -> dict:
    schema = {**ERROR_SCHEMA, "properties": dict(ERROR_SCHEMA["properties"])}
    vocabulary = "; ".join(
        f"{status}: " + ", ".join(f"`{value}`" for value in values)
        for status, values in codes.items()
    )
    schema["properties"]["code"] = {
        "type": "string",
        "description": (
            "Stable and machine-readable; new codes may be added, so treat an unknown one "
            f"by its status. By status: {vocabulary}."
        ),
    }
    return schema


def _documented_errors(path: str, method: str, operation: dict) -> list[str]:
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    documented = list(ALWAYS)
    if not (operation.get("x-public") or operation.get("security") == [{}]):
        documented.append("403")
    # Any request may carry a path or query the API refuses (control characters, too many
    # parameters: cnt.middleware.RequestBoundsMiddleware), besides invalid input.
    documented.append("400")
    if "requestBody" in operation:
        documented.append("413")
    if "{" in path or any(p.get("name") == "page" for p in query):
        documented.append("404")  # an unknown id, or a page past the last
    return documented


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the one error shape for each status it
    can answer with, the codes each status carries, Retry-After on 429, and (on GET) the
    ETag it is served with and the 304 an If-None-Match earns."""
    codes = error_codes_by_status()
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _error_schema(codes)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _documented_errors(path, method, operation):
                response = _error_response(code, codes, ref)
                if method == "head":
                    response.pop("content")
                responses.setdefault(code, response)
            for code, response in responses.items():
                # Statuses a view declares itself (409 on a duplicate, say) get the same
                # body, and the code list unless the view describes its own.
                if code not in ERROR_DESCRIPTIONS or method == "head":
                    continue
                if "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
                if response.get("description", "No response body") == "No response body":
                    response["description"] = _error_response(code, codes, ref)["description"]
            operation.pop("x-public", None)
            if method == "get" and "200" in responses:
                _document_conditional_get(operation, responses)
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _document_conditional_get(operation: dict, responses: dict) -> None:
    responses["200"].setdefault("headers", {})["ETag"] = {
        "description": "Send it back as If-None-Match to get a 304 while nothing changed.",
        "schema": {"type": "string"},
    }
    responses.setdefault(
        "304", {"description": "Not modified: what you hold (its ETag) is still current."}
    )
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == "If-None-Match" for p in parameters):
        parameters.append(
            {
                "in": "header",
                "name": "If-None-Match",
                "schema": {"type": "string"},
                "description": "The ETag of the copy you hold.",
            }
        )


DIGITS = "^\\d+$"
MAX_ID = 2**63 - 1


def integer_path_ids(result, generator, request, public):
    """Postprocessing hook: a path parameter the router matches with `\\d+` (ID_PATTERN), or
    one already typed as a bare integer, is an int64 id, documented alike everywhere
    (drf-spectacular reads the regex as a patterned string), so generated clients type
    every id the same way."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                is_id = schema.get("pattern") == DIGITS or schema == {"type": "integer"}
                if parameter.get("in") == "path" and is_id:
                    parameter["schema"] = {
                        "type": "integer",
                        "format": "int64",
                        "minimum": 0,
                        "maximum": MAX_ID,
                    }
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, marking operations open to anyone (every permission is
    AllowAny) so add_error_responses does not document a 403 they cannot answer, and
    documenting the bounds of `many=True` lists."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            permissions = self.view.get_permissions()
            if permissions and all(isinstance(p, AllowAny) for p in permissions):
                operation["x-public"] = True
        return operation

    def _unwrap_list_serializer(self, serializer, direction):
        # drf-spectacular documents minItems/maxItems for ListField only; `many=True`
        # serializers show their bounds too, so every bounded list says so.
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and schema.get("type") == "array":
            if getattr(serializer, "max_length", None) is not None:
                schema["maxItems"] = serializer.max_length
            if getattr(serializer, "min_length", None) is not None:
                schema["minItems"] = serializer.min_length
        return schema


# Names for enums that only appear inline (parameters, oneOf branches), by their values.
ENUM_NAMES = {
    frozenset({"1.0.0"}): "TusVersionEnum",
    frozenset({"left", "center", "right"}): "HorizontalAnchorEnum",
    frozenset({"top", "center", "bottom"}): "VerticalAnchorEnum",
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _enum_component(schemas: dict, values: list, hint: str) -> str:
    """The name of the enum component with these values: an existing one (the one named
    like `hint` when several match), else a new one."""
    wanted = frozenset(values)
    matches = [
        name
        for name, schema in schemas.items()
        if isinstance(schema, dict) and "enum" in schema and frozenset(schema["enum"]) == wanted
    ]
    named = [name for name in matches if name.lower() == f"{_camel(hint)}enum".lower()]
    named = named or [name for name in matches if _camel(hint) in name]
    if len(named) == 1 or len(matches) == 1:
        return (named or matches)[0]
    name = ENUM_NAMES.get(wanted) or f"{_camel(hint)}Enum"
    if name in schemas and frozenset(schemas[name].get("enum", [])) != wanted:
        name = f"{_camel(hint)}{len(schemas)}Enum"
    schemas.setdefault(name, {"type": "string", "enum": sorted(values)})
    return name


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _lift(schema: dict, schemas: dict, hint: str) -> dict:
    """`schema` with inline enums replaced by refs to named components, recursively."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return schema
    if "enum" in schema and all(isinstance(value, str) for value in schema["enum"]):
        values = [value for value in schema["enum"] if value != ""]
        if values:
            ref = {"$ref": f"#/components/schemas/{_enum_component(schemas, values, hint)}"}
            if len(values) == len(schema["enum"]):
                return ref
            # A blank choice stays allowed, the way drf-spectacular itself writes it.
            schemas.setdefault("BlankEnum", {"enum": [""]})
            return {"oneOf": [ref, {"$ref": "#/components/schemas/BlankEnum"}]}
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            schema[key] = [_lift(branch, schemas, hint) for branch in schema[key]]
    if isinstance(schema.get("items"), dict):
        schema["items"] = _lift(schema["items"], schemas, hint)
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("type") == "integer" and _is_id(name):
            prop.setdefault("format", "int64")
        schema["properties"][name] = _lift(prop, schemas, name)
    return schema


def uniform_types(result, generator, request, public):
    """Postprocessing hook: one type per concept. Every enum is a named component (query
    and path parameters and oneOf branches included), and every integer id is an int64."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name in list(schemas):
        schema = schemas[name]
        if "enum" not in schema:
            schemas[name] = _lift(schema, schemas, name)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                lifted = _lift(schema, schemas, parameter["name"])
                if lifted is not schema and "description" in schema:
                    parameter.setdefault("description", schema["description"])
                parameter["schema"] = lifted
    return result
