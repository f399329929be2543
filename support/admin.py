"""Support tickets in Django Admin: read the thread, answer from the ticket page.

The ticket itself is read-only here; the form's one field is the reply, which goes through
support.services.ticket_answer (status answered, in-app notification, email). Actions close
tickets in bulk.
"""

from django import forms
from django.contrib import admin, messages

from cnt.admin import ReadOnlyAdmin
from support import policies, services
from support.models import SupportMessage, SupportReply, SupportStatus


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

    class Meta:
        model = SupportMessage
        fields = ()


@admin.register(SupportMessage)
class SupportMessageAdmin(admin.ModelAdmin):
    form = TicketAnswerForm
    list_display = ("subject", "category", "email", "user", "status", "created_at", "updated_at")
    list_filter = ("status", "category")
    search_fields = ("subject", "message", "email", "user__username")
    list_select_related = ("user",)
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
        ("Answer", {"fields": ("reply",)}),
    )
    inlines = (SupportReplyInline,)
    actions = ("close_tickets",)

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

    def save_related(self, request, form, formsets, change):
        pass  # the replies inline is read-only

    @admin.action(description="Close selected tickets", permissions=["answer"])
    def close_tickets(self, request, queryset):
        closed = 0
        for ticket in queryset.exclude(status=SupportStatus.CLOSED):
            services.ticket_close(ticket=ticket, by=request.user)
            closed += 1
        self.message_user(request, f"{closed} tickets closed.", messages.SUCCESS)


@admin.register(SupportReply)
class SupportReplyAdmin(ReadOnlyAdmin):
    """The thread messages, read-only (staff reply from the ticket page)."""

    list_display = ("ticket", "is_staff_reply", "author", "created_at", "emailed_at")
    list_filter = ("is_staff_reply",)
    search_fields = ("body", "ticket__subject")
    list_select_related = ("ticket", "author")
    date_hierarchy = "created_at"
