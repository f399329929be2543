"""The real routes plus a few views that fail on purpose, for the error-shape tests."""

from django.http import HttpResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import moderation
from catalog.models import Podcast
from cnt.urls import urlpatterns as real_urlpatterns


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.IntegerField())


class ValidatingView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        NameSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({"ok": True})


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class StaffView(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request):
        return Response({"ok": True})


class CrashingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom: secret internals")


class RaisingView(APIView):
    """Raises whatever the test put in `raising`, as a service would."""

    permission_classes = [AllowAny]
    raising: Exception | None = None

    def get(self, request):
        raise type(self).raising


class UncheckedRejectView(APIView):
    """Calls the moderation service with the raw reason, skipping any serializer check."""

    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        podcast = Podcast.objects.get(pk=pk)
        moderation.content_reject(
            content_type="podcast",
            obj=podcast,
            moderator=request.user,
            reason=request.data["reason"],
        )
        return Response({"ok": True})


def crashing_plain_view(request):
    raise ValueError("plain boom")


def html_error_view(request):
    return HttpResponse("<h1>Bad</h1>", status=400, content_type="text/html")


urlpatterns = [
    path("api/test/validate", ValidatingView.as_view()),
    path("api/test/private", PrivateView.as_view()),
    path("api/test/staff", StaffView.as_view()),
    path("api/test/crash", CrashingView.as_view()),
    path("api/test/plain-crash", crashing_plain_view),
    path("api/test/html-error", html_error_view),
    path("api/test/raise", RaisingView.as_view()),
    path("api/test/unchecked-reject/<int:pk>", UncheckedRejectView.as_view()),
    *real_urlpatterns,
]
