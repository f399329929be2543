"""The moderation console shared by every moderated model (catalog, bible, community).

`ModeratedAdmin` gives a model the pending queue (oldest first), approve/reject actions (bulk
on the changelist, single as buttons on the change page; rejecting asks for a reason), inline
previews with signed playback URLs, and the item's audit trail. Status is read-only: it
changes only through catalog.moderation's services. User text is always escaped.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from accounts.policies import is_moderator
from catalog import kinds, moderation
from catalog.admin.editing import ContentEditingMixin, waveform_for
from catalog.admin.publishing import FilesMixin
from cnt import signing
from cnt.errors import InvalidInput
from cnt.models import ModerationStatus
from media import captions, profiles
from media.models import AssetKind, AssetStatus, Transcript

MODERATION_READONLY = ("status", "rejection_reason", "moderated_by", "moderated_at")
CONTENT_READONLY = (
    *MODERATION_READONLY,
    "published_at",
    "play_count",
    "created_at",
    "updated_at",
)
REVIEW_FIELDS = ("media_preview", "pending_edit", "moderation_history")
PENDING_QUERY = f"status__exact={ModerationStatus.PENDING}"
# Listed on the reject confirmation page; the rest are summarised as "and N more".
REJECT_LIST_LIMIT = 50

STATUS_COLOURS = {
    ModerationStatus.PENDING: "#b26b00",
    ModerationStatus.APPROVED: "#2e7d32",
    ModerationStatus.REJECTED: "#c62828",
}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the owner)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=moderation.REASON_MAX_LENGTH,
        strip=True,
    )


# --- previews ------------------------------------------------------------------------------


def _signed(asset, relative: str) -> str:
    return signing.playback_path(asset.id, relative)


def asset_preview(asset, *, poster=None):
    """An <img>, <audio> or <video> for one asset, through signed URLs only."""
    if asset is None:
        return ""
    if asset.kind == AssetKind.IMAGE:
        return format_html(
            '<img src="{}" alt="" style="max-width:320px;max-height:240px;display:block">',
            _signed(asset, "original"),
        )
    if asset.kind not in (AssetKind.AUDIO, AssetKind.VIDEO):
        return format_html('<a href="{}">Open the file</a>', _signed(asset, "original"))
    sources = []
    if asset.status == AssetStatus.READY and asset.output_prefix:
        # Safari plays HLS natively; other browsers skip this source and use the original.
        sources.append((_signed(asset, profiles.MASTER_PLAYLIST), "application/vnd.apple.mpegurl"))
    sources.append((_signed(asset, "original"), asset.content_type or ""))
    source_tags = format_html_join("", '<source src="{}" type="{}">', sources)
    transcript = Transcript.objects.filter(asset_id=asset.pk).first()
    if asset.kind == AssetKind.VIDEO:
        player = format_html(
            '<video controls preload="metadata" crossorigin="anonymous" '
            'style="max-width:480px;display:block"{}>{}{}</video>',
            format_html(' poster="{}"', _signed(poster, "original")) if poster else "",
            source_tags,
            _caption_tracks(asset, transcript),
        )
    else:
        player = format_html(
            '{}<audio controls preload="metadata" style="display:block">{}</audio>',
            waveform_for(asset),
            source_tags,
        )
    note = ""
    if asset.status != AssetStatus.READY:
        note = format_html(
            '<p class="help">Processing status: {}{}</p>',
            asset.get_status_display(),
            f" — {asset.error}" if asset.error else "",
        )
    panel = _transcript_panel(transcript)
    if panel:
        # The transcript beside the player: moderators review speech without listening.
        return format_html(
            '<div style="display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap">'
            "<div>{}{}</div>{}</div>",
            player,
            note,
            panel,
        )
    return format_html("{}{}", player, note)


def _caption_tracks(asset, transcript):
    if transcript is None or not asset.output_prefix:
        return ""
    return format_html_join(
        "",
        '<track kind="captions" src="{}" srclang="{}" label="{}"{}>',
        (
            (
                _signed(asset, f"{captions.SUBTITLES_DIR}/{captions.language_slug(lang)}.vtt"),
                lang,
                captions.language_name(lang),
                " default" if lang == transcript.language else "",
            )
            for lang in transcript.caption_languages
        ),
    )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _transcript_panel(transcript):
    if transcript is None:
        return ""
    if not transcript.paragraphs:
        return format_html(
            '<p class="help" id="transcript">Transcript: {}{}</p>',
            transcript.get_status_display(),
            f" — {transcript.error}" if transcript.error else "",
        )
    paragraphs = format_html_join(
        "",
        '<p><span class="help" style="font-family:monospace">{}</span> {}</p>',
        ((_clock(p["start"]), p["text"]) for p in transcript.paragraphs),
    )
    return format_html(
        '<div id="transcript" style="max-width:520px;max-height:360px;overflow-y:auto;'
        'border-left:3px solid #ddd;padding-left:12px"><div class="help">Transcript ({}, {})'
        "</div>{}</div>",
        transcript.language or "?",
        transcript.get_source_display().lower(),
        paragraphs,
    )


def status_badge(status: str, label: str):
    return format_html(
        '<strong style="color:{}">{}</strong>', STATUS_COLOURS.get(status, "inherit"), label
    )


# --- the moderation console ----------------------------------------------------------------


class ModeratedAdmin(FilesMixin, ContentEditingMixin, admin.ModelAdmin):
    """Admin for a moderated model. The change page previews the kind's assets (images
    first, then what it streams: catalog/kinds.py); `preview_text_fields` adds text."""

    preview_text_fields: tuple[str, ...] = ()

    @property
    def preview_fields(self) -> tuple[str, ...]:
        kind = kinds.kind_for(self.model)
        return (*kind.image_fields, *kind.media_field_names)

    moderation_readonly = CONTENT_READONLY
    change_form_template = "admin/moderation/change_form.html"
    actions = ["approve_selected", "reject_selected"]

    # -- permissions and queries

    def has_moderate_permission(self, request) -> bool:
        return is_moderator(request.user) and self.has_change_permission(request)

    def get_ordering(self, request):
        # The pending queue is worked oldest first; everything else shows newest first.
        if request.GET.get("status__exact") == ModerationStatus.PENDING:
            return ("created_at", "pk")
        return ("-created_at", "-pk")

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), *self.moderation_readonly)
        return (*fields, *REVIEW_FIELDS) if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fields = [f for f in self.get_fields(request, obj) if f not in REVIEW_FIELDS]
        if obj is None:
            return [(None, {"fields": fields})]
        moderation_fields = [f for f in fields if f in MODERATION_READONLY]
        rest = [f for f in fields if f not in MODERATION_READONLY]
        return [
            ("Review", {"fields": REVIEW_FIELDS}),
            ("Moderation", {"fields": moderation_fields}),
            (None, {"fields": rest}),
        ]

    @property
    def content_type(self):
        return moderation.content_type_for(self.model)

    def pending_queue_url(self) -> str:
        opts = self.model._meta
        return f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?{PENDING_QUERY}"

    # -- changelist columns

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj):
        if obj.status != ModerationStatus.PENDING:
            return "—"
        return timesince(obj.created_at, timezone.now())

    # -- change page: previews and the audit trail

    @admin.display(description="preview")
    def media_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        parts = []
        image = next(
            (
                getattr(obj, name)
                for name in self.preview_fields
                if getattr(obj, name, None) is not None
                and getattr(obj, name).kind == AssetKind.IMAGE
            ),
            None,
        )
        for name in self.preview_fields:
            asset = getattr(obj, name, None)
            if asset is None:
                continue
            poster = image if asset.kind == AssetKind.VIDEO else None
            parts.append((name.replace("_", " ").capitalize(), asset_preview(asset, poster=poster)))
        for name in self.preview_text_fields:
            text = getattr(obj, name, "")
            if text:
                parts.append(
                    (
                        name.replace("_", " ").capitalize(),
                        format_html(
                            '<div style="white-space:pre-wrap;max-width:640px">{}</div>', text
                        ),
                    )
                )
        if not parts:
            return "No media attached."
        return format_html_join(
            "", '<div style="margin-bottom:12px"><div class="help">{}</div>{}</div>', parts
        )

    @admin.display(description="pending edit")
    def pending_edit(self, obj):
        """The owner's changes to the public text waiting for review (catalog/admin/edits.py)."""
        edit = moderation.pending_edit_for(obj) if obj is not None and obj.pk else None
        if edit is None:
            return "—"
        url = reverse("admin:catalog_pendingedit_change", args=[edit.pk])
        return format_html(
            '<a href="{}" id="moderation-pending-edit">Changes to {} wait for review</a>',
            url,
            ", ".join(edit.changes),
        )

    @admin.display(description="moderation history")
    def moderation_history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = [
            (
                decision.created_at.strftime("%Y-%m-%d %H:%M"),
                decision.get_action_display(),
                decision.get_previous_status_display(),
                decision.moderator or "—",
                decision.reason or "",
            )
            for decision in moderation.decisions_for(obj)[:20]
        ]
        if not rows:
            return "No decisions yet."
        return format_html(
            "<table><thead><tr><th>When</th><th>Action</th><th>Was</th><th>By</th>"
            "<th>Reason</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            opts = self.model._meta
            can_moderate = self.has_moderate_permission(request)
            open_decisions = moderation.content_decisions_open(obj)
            context.update(
                can_moderate=can_moderate,
                # Buttons only for decisions that would change the item (no Approve on
                # approved content).
                can_approve=can_moderate and open_decisions["approve"],
                can_reject=can_moderate and open_decisions["reject"],
                moderation_status=status_badge(obj.status, obj.get_status_display()),
                approve_url=reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_approve", args=[obj.pk]
                ),
                reject_url=reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_reject", args=[obj.pk]
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- actions: bulk on the changelist

    @admin.action(description="Approve selected items", permissions=["moderate"])
    def approve_selected(self, request, queryset):
        results = moderation.content_approve_many(
            content_type=self.content_type, objects=list(queryset), moderator=request.user
        )
        self._report(request, results, "approved")

    @admin.action(description="Reject selected items…", permissions=["moderate"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            results = moderation.content_reject_many(
                content_type=self.content_type,
                objects=list(queryset),
                moderator=request.user,
                reason=form.cleaned_data["reason"],
            )
            self._report(request, results, "rejected")
            return None
        items = list(queryset.order_by("pk")[: REJECT_LIST_LIMIT + 1])
        return self._reject_page(
            request,
            form=form,
            items=items[:REJECT_LIST_LIMIT],
            more=max(0, queryset.count() - REJECT_LIST_LIMIT),
            selected=queryset.values_list("pk", flat=True),
        )

    def _report(self, request, results, verb: str):
        changed = sum(1 for r in results if r.changed)
        unchanged = len(results) - changed
        if changed:
            self.message_user(request, f"{changed} item(s) {verb}.", messages.SUCCESS)
        if unchanged:
            self.message_user(
                request, f"{unchanged} item(s) were already {verb}; nothing changed.", messages.INFO
            )

    def _reject_page(self, request, *, form, items, more=0, selected=(), single=None):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject with a reason",
            "opts": opts,
            "form": form,
            "items": items,
            "more": more,
            "selected": list(selected),
            "single": single,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "queue_url": self.pending_queue_url(),
        }
        return TemplateResponse(request, "admin/moderation/reject.html", context)

    # -- actions: single, from the change page

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{name}_approve",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name=f"{name}_reject",
            ),
            *super().get_urls(),
        ]

    def _moderated_object(self, request, object_id):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return obj, None

    def approve_view(self, request, object_id):
        return require_POST(self._approve)(request, object_id)

    def _approve(self, request, object_id):
        obj, redirect = self._moderated_object(request, object_id)
        if redirect:
            return redirect
        result = moderation.content_approve(
            content_type=self.content_type, obj=obj, moderator=request.user
        )
        self._report(request, [result], "approved")
        return HttpResponseRedirect(self.pending_queue_url())

    def reject_view(self, request, object_id):
        obj, redirect = self._moderated_object(request, object_id)
        if redirect:
            return redirect
        form = RejectForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                result = moderation.content_reject(
                    content_type=self.content_type,
                    obj=obj,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except InvalidInput as exc:
                form.add_error("reason", (exc.errors or {}).get("reason", [exc.detail]))
            else:
                self._report(request, [result], "rejected")
                return HttpResponseRedirect(self.pending_queue_url())
        return self._reject_page(request, form=form, items=[obj], single=obj)
