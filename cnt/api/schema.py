"""OpenAPI helpers: every operation documents the shared error responses."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape; field errors sit under `errors` and at the top level.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; field errors name the fields.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Authenticated but not allowed.",
    "404": "Not found (or not visible to you).",
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
