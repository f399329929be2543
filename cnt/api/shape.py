"""The one JSON error body, {"detail", "code"} plus field errors, as a plain function: the API's
exception handler renders errors with it, and so does a service that stores a response to
replay (idempotent donations). Field errors appear under "errors" and, for clients written
against DRF's default shape, also at the top level when the name does not clash."""


def error_body(detail: str, code: str, errors: dict | None = None) -> dict:
    body = {"detail": str(detail), "code": str(code)}
    if errors:
        body["errors"] = errors
        for field, messages in errors.items():
            body.setdefault(field, messages)
    return body
