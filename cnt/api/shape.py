"""The one JSON error body, {"detail", "code", "errors"}, as a plain function: the API's
exception handler renders errors with it, and so does a service that stores a response to
replay (idempotent donations). Field errors sit under "errors" only ({field: [messages]},
nested fields dotted), so a client reads one shape whatever went wrong."""


def error_body(detail: str, code: str, errors: dict | None = None) -> dict:
    body = {"detail": str(detail), "code": str(code)}
    if errors:
        body["errors"] = errors
    return body
