"""OpenAPI helpers: every operation documents the shared error responses; list serializers
document their bounds."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

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
    "400": "Invalid input; field errors name the fields.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Authenticated but not allowed.",
    "404": "Not found (or not visible to you).",
    "413": "The request body is larger than this operation accepts.",
    "429": "Too many requests; see Retry-After.",
    "503": "A dependency or external service is unavailable or not configured.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: add the shared error responses each operation can produce."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["401", "403", "429", "503"]
            if method in WRITE_METHODS or operation.get("parameters"):
                codes.append("400")
            if "requestBody" in operation:
                codes.append("413")
            if "{" in path:
                codes.append("404")
            responses = operation["responses"]
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


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


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus minItems/maxItems for `many=True` serializers (it
    documents them for ListField only), so every bounded list shows its bound."""

    def _unwrap_list_serializer(self, serializer, direction):
        schema = super()._unwrap_list_serializer(serializer, direction)
        if schema and schema.get("type") == "array":
            if getattr(serializer, "max_length", None) is not None:
                schema["maxItems"] = serializer.max_length
            if getattr(serializer, "min_length", None) is not None:
                schema["minItems"] = serializer.min_length
        return schema
