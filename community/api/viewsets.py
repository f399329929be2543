"""Community API: posts with likes, comments and reports; notifications."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from cnt.api.serializers import validated
from cnt.notifications.models import Device, Notification, NotificationType
from cnt.notifications.selectors import (
    notification_list,
    notification_preferences,
    notification_unread_count,
)
from cnt.notifications.services import (
    device_register,
    device_remove,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)
from community import policies, selectors, services
from community.api.serializers import (
    DEVICE_TOKEN_PATTERN,
    CommentCreateSerializer,
    CommentSerializer,
    CommentUpdateSerializer,
    DeviceRegisterSerializer,
    DeviceSerializer,
    LikeStateSerializer,
    MarkedSerializer,
    NotificationPreferenceSerializer,
    NotificationSerializer,
    PostSerializer,
    ReplySerializer,
    ReportResultSerializer,
    ReportSerializer,
    UnreadCountSerializer,
)
from community.models import CommunityPost, PostType

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("post_type", str, enum=PostType.values),
            OpenApiParameter("author", str, description="A username."),
        ]
    ),
    retrieve=extend_schema(parameters=[ID]),
    update=extend_schema(parameters=[ID]),
    partial_update=extend_schema(parameters=[ID]),
    destroy=extend_schema(parameters=[ID]),
)
@extend_schema(tags=["community"])
class PostViewSet(viewsets.ModelViewSet):
    serializer_class = PostSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticatedOrReadOnly]
    queryset = CommunityPost.objects.none()
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommunityPost.objects.none()
        post_type = self.request.query_params.get("post_type")
        if post_type not in PostType.values:
            post_type = None
        return selectors.post_list(
            user=self.request.user,
            post_type=post_type,
            author=self.request.query_params.get("author") or None,
        )

    def get_object(self):
        return selectors.post_get_for_user(user=self.request.user, post_id=self.kwargs["pk"])

    def _page(self, queryset):
        source = selectors.post_page_source(queryset=queryset, user=self.request.user)
        page = self.paginate_queryset(source)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def list(self, request, *args, **kwargs):
        return self._page(self.get_queryset())

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.post_create(
            author=self.request.user,
            content=data["body"],
            post_type=data.get("post_type", PostType.GENERAL),
            image_id=data.get("image_id"),
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        post = selectors.post_get_for_user(user=request.user, post_id=serializer.instance.pk)
        return Response(self.get_serializer(post).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        post = self.get_object()
        if not policies.can_edit_post(request.user, post):
            raise PermissionDenied("Only the author edits a post.")
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(post, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = {}
        data = serializer.validated_data
        if "body" in data:
            fields["content"] = data["body"]
        if "post_type" in data and ("post_type" in request.data or not partial):
            fields["post_type"] = data["post_type"]
        if "image_id" in data:
            fields["image_id"] = data["image_id"]
        services.post_update(post=post, user=request.user, **fields)
        post = selectors.post_get_for_user(user=request.user, post_id=post.pk)
        return Response(self.get_serializer(post).data)

    def destroy(self, request, *args, **kwargs):
        post = self.get_object()
        if not policies.can_delete_post(request.user, post):
            raise PermissionDenied("Only the author or a moderator deletes a post.")
        services.post_delete(post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Approved posts by the creators you follow",
        responses={200: PostSerializer(many=True)},  # a page, like the post list
    )
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated])
    def following(self, request):
        return self._page(selectors.post_following_feed(user=request.user))

    @extend_schema(
        methods=["post"],
        request=None,
        responses={200: LikeStateSerializer, 201: LikeStateSerializer},
        summary="Like (idempotent)",
        parameters=[ID],
    )
    @extend_schema(
        methods=["delete"],
        request=None,
        responses={200: LikeStateSerializer},
        summary="Unlike (idempotent)",
        parameters=[ID],
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[IsAuthenticated])
    def like(self, request, pk=None):
        post = self.get_object()
        if request.method == "POST":
            post, created = services.post_like(post=post, user=request.user)
            body = {"likes_count": post.likes_count, "is_liked": True}
            return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        post = services.post_unlike(post=post, user=request.user)
        return Response({"likes_count": post.likes_count, "is_liked": False})

    @extend_schema(methods=["get"], responses={200: CommentSerializer(many=True)}, parameters=[ID])
    @extend_schema(
        methods=["post"],
        request=CommentCreateSerializer,
        responses={201: ReplySerializer},
        parameters=[ID],
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        post = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.comment_list(user=request.user, post=post))
            data = CommentSerializer(page, many=True, context=self.get_serializer_context()).data
            return self.get_paginated_response(data)
        if not request.user.is_authenticated:
            self.permission_denied(request)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            post=post,
            author=request.user,
            content=serializer.validated_data["content"],
            parent_id=serializer.validated_data.get("parent"),
        )
        data = ReplySerializer(comment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReportSerializer,
        responses={201: ReportResultSerializer, 200: ReportResultSerializer},
        parameters=[ID],
        summary="Report a post to the moderators",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def report(self, request, pk=None):
        post = self.get_object()
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.report_create(
            reporter=request.user, reason=serializer.validated_data["reason"], post=post
        )
        body = {"id": report.pk, "status": report.status, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=["community"])
class CommentViewSet(viewsets.GenericViewSet):
    """Edit, delete and report single comments."""

    permission_classes = [IsAuthenticated]
    serializer_class = CommentUpdateSerializer
    lookup_value_regex = "[0-9]+"

    def get_object(self):
        return selectors.comment_get_for_user(user=self.request.user, comment_id=self.kwargs["pk"])

    @extend_schema(
        request=CommentUpdateSerializer, responses={200: ReplySerializer}, parameters=[ID]
    )
    def partial_update(self, request, pk=None):
        comment = self.get_object()
        if not policies.can_edit_comment(request.user, comment):
            raise PermissionDenied("Only the author edits a comment.")
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_update(
            comment=comment, content=serializer.validated_data["content"]
        )
        return Response(ReplySerializer(comment, context={"request": request}).data)

    @extend_schema(responses={204: None}, parameters=[ID])
    def destroy(self, request, pk=None):
        comment = self.get_object()
        if not policies.can_delete_comment(request.user, comment):
            raise PermissionDenied("Only the author or a moderator deletes a comment.")
        services.comment_delete(comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ReportSerializer,
        responses={201: ReportResultSerializer, 200: ReportResultSerializer},
        parameters=[ID],
        summary="Report a comment to the moderators",
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        comment = self.get_object()
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.report_create(
            reporter=request.user, reason=serializer.validated_data["reason"], comment=comment
        )
        body = {"id": report.pk, "status": report.status, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    lookup_value_regex = "[0-9]+"
    permission_classes = [IsAuthenticated]
    queryset = Notification.objects.none()
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = self.request.query_params.get("unread") in ("1", "true")
        return notification_list(user=self.request.user, unread_only=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": notification_unread_count(user=request.user)})

    @extend_schema(request=None, responses={200: NotificationSerializer}, parameters=[ID])
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_list(user=request.user).filter(pk=pk).first()
        if notification is None:
            raise NotFound()
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification, context={"request": request}).data)

    @extend_schema(request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notification_mark_all_read(user=request.user)})

    @extend_schema(methods=["get"], responses={200: NotificationPreferenceSerializer(many=True)})
    @extend_schema(
        methods=["put"],
        request=NotificationPreferenceSerializer(many=True),
        responses={200: NotificationPreferenceSerializer(many=True)},
    )
    @action(detail=False, methods=["get", "put"], pagination_class=None)
    def preferences(self, request):
        if request.method == "PUT":
            serializer = NotificationPreferenceSerializer(data=request.data, many=True)
            serializer.is_valid(raise_exception=True)
            notification_preferences_set(user=request.user, preferences=serializer.validated_data)
        stored = notification_preferences(user=request.user)
        data = [
            {
                "type": value,
                "in_app": stored[value].in_app if value in stored else True,
                "email": stored[value].email if value in stored else False,
                "push": stored[value].push if value in stored else True,
            }
            for value in NotificationType.values
        ]
        return Response(data)


class DeviceViewSet(viewsets.GenericViewSet):
    """Push tokens of the caller's app installs: register on sign-in (and whenever FCM
    hands out a new token), remove on sign-out."""

    serializer_class = DeviceSerializer
    permission_classes = [IsAuthenticated]
    queryset = Device.objects.none()
    filter_backends = []
    lookup_field = "token"
    lookup_value_regex = DEVICE_TOKEN_PATTERN

    @extend_schema(
        request=DeviceRegisterSerializer,
        responses={200: DeviceSerializer, 201: DeviceSerializer},
    )
    def create(self, request):
        data = validated(DeviceRegisterSerializer, request)
        device, created = device_register(user=request.user, **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DeviceSerializer(device).data, status=code)

    @extend_schema(responses={204: None})
    def destroy(self, request, token=None):
        if not device_remove(user=request.user, token=token):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
