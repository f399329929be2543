from django.contrib import admin
from django.db.models import Count, Q

from catalog.admin.console import MODERATION_READONLY, ModeratedAdmin
from community.models import Comment, CommunityPost, Like, Report, ReportStatus


@admin.register(CommunityPost)
class CommunityPostAdmin(ModeratedAdmin):
    list_display = (
        "__str__",
        "author",
        "post_type",
        "status_badge",
        "waiting",
        "likes_count",
        "comments_count",
        "reports_open",
        "created_at",
    )
    list_filter = ("status", "post_type")
    search_fields = ("title", "body", "author__username")
    raw_id_fields = ("author", "image", "category")
    moderation_readonly = (
        *MODERATION_READONLY,
        "likes_count",
        "comments_count",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    list_select_related = ("author",)
    preview_text_fields = ("title", "body")

    def get_queryset(self, request):
        # One annotated query for the list's report counts (no query per row).
        open_reports = Count("reports", filter=Q(reports__status=ReportStatus.OPEN))
        return super().get_queryset(request).annotate(open_reports=open_reports)

    @admin.display(description="open reports", ordering="open_reports")
    def reports_open(self, obj):
        return getattr(obj, "open_reports", 0)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "post", "is_deleted", "created_at")
    list_filter = ("is_deleted",)
    search_fields = ("body", "author__username")
    raw_id_fields = ("post", "author", "parent")
    list_select_related = ("author", "post")


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("post", "user", "created_at")
    search_fields = ("user__username",)
    raw_id_fields = ("post", "user")
    list_select_related = ("post", "user")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reported posts and comments. Resolving one report resolves every open report of the
    same target: upheld removes it from view, dismissed restores it."""

    list_display = (
        "created_at",
        "reporter",
        "post",
        "comment",
        "reason",
        "status",
        "counts_toward_hiding",
    )
    list_filter = ("status",)
    list_select_related = ("reporter", "post", "comment")
    search_fields = ("reason", "reporter__username")
    # A report is the reporter's words: moderators resolve it (actions), never rewrite it.
    readonly_fields = (
        "reporter",
        "post",
        "comment",
        "reason",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
        "updated_at",
    )
    actions = ("uphold_reports", "dismiss_reports")

    def has_add_permission(self, request):
        return False  # reports come from users, through the API

    def get_queryset(self, request):
        from django.db.models import BooleanField, ExpressionWrapper

        from community.policies import reporters_in_good_standing_q

        # Every report is listed; this column says which ones count toward auto-hiding.
        counts = ExpressionWrapper(reporters_in_good_standing_q(), output_field=BooleanField())
        return super().get_queryset(request).annotate(reporter_in_good_standing=counts)

    @admin.display(boolean=True, description="Counts toward hiding")
    def counts_toward_hiding(self, obj) -> bool:
        return bool(getattr(obj, "reporter_in_good_standing", False))

    def _resolve(self, request, queryset, *, uphold: bool):
        from community.models import ReportStatus
        from community.services import report_resolve

        resolved = 0
        for report in queryset.filter(status=ReportStatus.OPEN):
            report.refresh_from_db()
            if report.status == ReportStatus.OPEN:
                report_resolve(report=report, moderator=request.user, uphold=uphold)
                resolved += 1
        self.message_user(request, f"{resolved} reported items resolved.")

    @admin.action(description="Uphold: remove the reported content", permissions=["change"])
    def uphold_reports(self, request, queryset):
        self._resolve(request, queryset, uphold=True)

    @admin.action(description="Dismiss: keep the reported content", permissions=["change"])
    def dismiss_reports(self, request, queryset):
        self._resolve(request, queryset, uphold=False)
