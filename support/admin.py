"""Support tickets in Django Admin: read the thread, answer from the ticket page.

The ticket itself is read-only here; the form's field is the reply, which goes through
support.services.ticket_answer (status answered, in-app notification, email, the admin's
action log), optionally closing the ticket after it. Open tickets show how long the user has
waited; filters by status, category and answering staff; search covers the whole thread.
Actions close or reopen tickets in bulk.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from cnt.admin import ReadOnlyAdmin
from support import policies, services
from support.models import SupportMessage, SupportReply, SupportStatus

STATUS_COLOURS = {
    SupportStatus.OPEN: "#b26b00",
    SupportStatus.ANSWERED: "#2e7d32",
    SupportStatus.CLOSED: "#666",
}


class SupportReplyInline(admin.TabularInline):
    model = SupportReply
    fields = ("created_at", "is_staff_reply", "author", "body", "emailed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TicketAnswerForm(forms.ModelForm):
    reply = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Sent to the user in the app and by email; the ticket becomes answered.",
    )
    close_after = forms.BooleanField(
        required=False, label="Close the ticket after replying", initial=False
    )

    class Meta:
        model = SupportMessage
        fields = ()


@admin.register(SupportMessage)
class SupportMessageAdmin(admin.ModelAdmin):
    form = TicketAnswerForm
    list_display = (
        "subject",
        "status_badge",
        "category",
        "email",
        "user",
        "replies_count",
        "waiting",
        "responded_by",
        "updated_at",
    )
    list_filter = ("status", "category", ("responded_by", admin.RelatedOnlyFieldListFilter))
    # Replies too: staff find a ticket by what anyone wrote in its thread.
    search_fields = (
        "subject",
        "message",
        "name",
        "email",
        "user__username",
        "user__email",
        "replies__body",
    )
    list_select_related = ("user", "responded_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "email",
        "name",
        "category",
        "subject",
        "message",
        "status",
        "responded_by",
        "responded_at",
        "closed_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": readonly_fields}),
        ("Answer", {"fields": ("reply", "close_after")}),
    )
    inlines = (SupportReplyInline,)
    actions = ("close_tickets", "reopen_tickets")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(replies_total=Count("replies"))

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<strong style="color:{}">{}</strong>',
            STATUS_COLOURS.get(obj.status, "inherit"),
            obj.get_status_display(),
        )

    @admin.display(description="replies", ordering="replies_total")
    def replies_count(self, obj):
        return getattr(obj, "replies_total", None)

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj):
        # How long the user has waited for staff; answered and closed tickets wait for no one.
        if obj.status != SupportStatus.OPEN:
            return "—"
        return timesince(obj.updated_at, timezone.now())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_answer_permission(self, request):
        return policies.can_answer_tickets(request.user)

    def save_model(self, request, obj, form, change):
        # The ticket's own fields are read-only; only the reply is acted on.
        body = (form.cleaned_data.get("reply") or "").strip()
        if body:
            services.ticket_answer(ticket=obj, staff=request.user, body=body)
            self.message_user(request, "Reply sent to the user.", messages.SUCCESS)
        if form.cleaned_data.get("close_after"):
            services.ticket_close(ticket=obj, by=request.user)
            self.message_user(request, "Ticket closed.", messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        pass  # the replies inline is read-only

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formsets were never saved (read-only), so Django's message, which reads
        # what they saved, does not apply; ticket_answer writes the action log itself.
        return []

    def log_change(self, request, obj, message):
        return None  # support.services logs the reply (cnt.audit), here and everywhere

    @admin.action(description="Close selected tickets", permissions=["answer"])
    def close_tickets(self, request, queryset):
        closed = 0
        for ticket in queryset.exclude(status=SupportStatus.CLOSED):
            services.ticket_close(ticket=ticket, by=request.user)
            closed += 1
        self.message_user(request, f"{closed} tickets closed.", messages.SUCCESS)

    @admin.action(description="Reopen selected tickets", permissions=["answer"])
    def reopen_tickets(self, request, queryset):
        reopened = 0
        for ticket in queryset.exclude(status=SupportStatus.OPEN):
            services.ticket_reopen(ticket=ticket, staff=request.user)
            reopened += 1
        self.message_user(request, f"{reopened} tickets reopened.", messages.SUCCESS)


@admin.register(SupportReply)
class SupportReplyAdmin(ReadOnlyAdmin):
    """The thread messages, read-only (staff reply from the ticket page)."""

    list_display = ("ticket", "is_staff_reply", "author", "created_at", "emailed_at")
    list_filter = ("is_staff_reply",)
    search_fields = ("body", "ticket__subject")
    list_select_related = ("ticket", "author")
    date_hierarchy = "created_at"
