"""GET /api/asyncapi.json: the WebSocket contract (cnt/asyncapi.py), for anyone."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from cnt.asyncapi import asyncapi_document


@require_safe
def asyncapi_view(request):
    return JsonResponse(asyncapi_document(), json_dumps_params={"indent": 2})
