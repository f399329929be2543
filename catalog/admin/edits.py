"""The moderation console's queue of edits: owners' changes to the public text of approved
content, waiting for a moderator (catalog/moderation.py, content_edit_*).

Each edit shows the public text beside the proposed one; approving applies it to the item,
rejecting (with a reason the owner is told) discards it. Moderators see and decide the
edits of the kinds they moderate; nothing here is edited by hand. User text is escaped.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from accounts.policies import is_moderator
from catalog import kinds, moderation, transcripts
from catalog.admin.console import RejectForm, status_badge
from catalog.models import EditStatus, PendingEdit

EDIT_COLOURS = {
    EditStatus.PENDING: "pending",
    EditStatus.APPROVED: "approved",
    EditStatus.REJECTED: "rejected",
    EditStatus.WITHDRAWN: "rejected",
}
PENDING_EDITS_QUERY = f"status__exact={EditStatus.PENDING}"


def _moderated_kinds(user) -> list[str]:
    if not is_moderator(user):
        return []
    return [kind.name for kind in kinds.kinds() if user.has_perm(kind.moderation_permission)]


def _item_url(edit) -> str | None:
    opts = moderation.model_for(edit.content_type)._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[edit.object_id])
    except NoReverseMatch:
        return None


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _comparison_row(obj, field: str, value) -> tuple[str, str, str]:
    """(field, public now, proposed) as a moderator reads them."""
    if field == kinds.OUTLINE:
        now = transcripts.content_outline_text(obj) if obj is not None else ""
        return "chapters and summary", now, transcripts.content_outline_text(obj, value)
    return field, _text(getattr(obj, field, "")) if obj is not None else "", _text(value)


@admin.register(PendingEdit)
class PendingEditAdmin(admin.ModelAdmin):
    list_display = (
        "item",
        "content_type",
        "owner",
        "fields_changed",
        "edit_status",
        "updated_at",
    )
    list_filter = ("status", "content_type")
    list_select_related = ("owner",)
    search_fields = ("owner__username",)
    ordering = ("created_at", "pk")
    fields = (
        "item",
        "content_type",
        "owner",
        "edit_status",
        "comparison",
        "reason",
        "decided_by",
        "decided_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["approve_selected", "reject_selected"]

    # -- permissions: moderators of the edited kind decide; nobody adds, edits or deletes

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(content_type__in=_moderated_kinds(request.user))

    def has_view_permission(self, request, obj=None):
        allowed = _moderated_kinds(request.user)
        return bool(allowed) and (obj is None or obj.content_type in allowed)

    def has_module_permission(self, request):
        return bool(_moderated_kinds(request.user))

    def has_moderate_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # -- columns

    @admin.display(description="item")
    def item(self, edit):
        obj = moderation.model_for(edit.content_type).objects.filter(pk=edit.object_id).first()
        label = moderation.display_title(obj) if obj is not None else f"#{edit.object_id}"
        url = _item_url(edit)
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="fields")
    def fields_changed(self, edit):
        return ", ".join(edit.changes)

    @admin.display(description="status", ordering="status")
    def edit_status(self, edit):
        return status_badge(EDIT_COLOURS[edit.status], edit.get_status_display())

    @admin.display(description="public text → proposed")
    def comparison(self, edit):
        obj = moderation.model_for(edit.content_type).objects.filter(pk=edit.object_id).first()
        rows = [_comparison_row(obj, field, value) for field, value in edit.changes.items()]
        cell = '<td style="white-space:pre-wrap;max-width:480px">{}</td>'
        return format_html(
            "<table><thead><tr><th>Field</th><th>Public now</th><th>Proposed</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join("", f"<tr><th>{{}}</th>{cell}{cell}</tr>", rows),
        )

    # -- actions

    def _report(self, request, results, verb: str):
        changed = sum(1 for result in results if result.changed)
        if changed:
            self.message_user(request, f"{changed} edit(s) {verb}.", messages.SUCCESS)
        if len(results) - changed:
            self.message_user(
                request,
                f"{len(results) - changed} edit(s) were already decided; nothing changed.",
                messages.INFO,
            )

    @admin.action(description="Approve selected edits (make them public)", permissions=["moderate"])
    def approve_selected(self, request, queryset):
        results = [
            moderation.content_edit_approve(edit=edit, moderator=request.user)
            for edit in queryset.order_by("pk")
        ]
        self._report(request, results, "approved")

    @admin.action(description="Reject selected edits…", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            results = [
                moderation.content_edit_reject(
                    edit=edit, moderator=request.user, reason=form.cleaned_data["reason"]
                )
                for edit in queryset.order_by("pk")
            ]
            self._report(request, results, "rejected")
            return None
        changelist = reverse("admin:catalog_pendingedit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject with a reason",
            "opts": self.model._meta,
            "form": form,
            "items": list(queryset.order_by("pk")),
            "more": 0,
            "selected": list(queryset.values_list("pk", flat=True)),
            "single": None,
            "reject_note": "The item keeps its public text; a rejected edit is discarded.",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "queue_url": f"{changelist}?{PENDING_EDITS_QUERY}",
        }
        return TemplateResponse(request, "admin/moderation/reject.html", context)
