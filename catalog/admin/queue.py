"""The moderators' one queue in Django Admin: everything waiting, oldest first.

Every content kind's pending items and what other apps register (reported posts and
comments) come from catalog/moderation/sources.py. The page shows the list with checkboxes
(bulk Approve / Reject with one reason) and the current item with its player or preview,
reports and buttons; after a decision the next waiting item opens. Keyboard: j / k next /
previous, a approve, r reject (focuses the reason), x select. Decisions go through the
sources' services; each also lands in Django's LogEntry (Recent actions, History).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from catalog import moderation
from catalog.moderation import sources as queue

APPROVE, REJECT = "approve", "reject"


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[(APPROVE, "Approve"), (REJECT, "Reject")])
    item = forms.CharField(required=False, max_length=80)
    selected = forms.MultipleChoiceField(required=False)  # choices: the keys posted (checked)
    reason = forms.CharField(required=False, max_length=moderation.REASON_MAX_LENGTH, strip=True)
    next = forms.CharField(required=False, max_length=80)
    source = forms.CharField(required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(key, key) for key in posted]

    def clean(self):
        data = super().clean()
        keys = data.get("selected") or ([data["item"]] if data.get("item") else [])
        if not keys:
            raise forms.ValidationError("Choose an item first.")
        if any(queue.parse_key(key) is None for key in keys):
            raise forms.ValidationError("Unknown item.")
        if data.get("decision") == REJECT and not data.get("reason"):
            self.add_error("reason", "A reason is required to reject.")
        data["keys"] = keys
        return data


def queue_url(*, source: str = "", item: str = "") -> str:
    params = {name: value for name, value in (("source", source), ("item", item)) if value}
    base = reverse("moderation-queue")
    return f"{base}?{urlencode(params)}" if params else base


def change_url(obj) -> str | None:
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def preview(obj):
    """The player or preview the item's own admin shows, or its text."""
    model_admin = admin.site._registry.get(type(obj))
    if hasattr(model_admin, "media_preview"):
        return model_admin.media_preview(obj)
    parts = []
    post = getattr(obj, "post", None)
    if post is not None:
        parts.append(format_html('<p class="help">On the post “{}”</p>', str(post)))
    body = getattr(obj, "body", "") or str(obj)
    parts.append(format_html('<div style="white-space:pre-wrap;max-width:640px">{}</div>', body))
    return format_html("{}" * len(parts), *parts)


def _sources(request):
    sources = queue.queue_sources_for(request.user)
    if not sources:
        raise PermissionDenied
    return sources


def queue_view(request):
    sources = _sources(request)
    only = queue.queue_source_get(request.GET.get("source", ""), sources)
    summaries = queue.queue_summaries(sources)
    items = queue.queue_items([only] if only else sources)
    keys = [item.key for item in items]
    names = {source.name: source.item_name for source in sources}
    rows = [{"item": item, "type": names[item.source]} for item in items]
    wanted = request.GET.get("item", "")
    position = keys.index(wanted) if wanted in keys else 0
    current = items[position] if items else None
    context = {
        **admin.site.each_context(request),
        "title": "Moderation queue",
        "summaries": summaries,
        "waiting_total": sum(summary.waiting for summary in summaries),
        "only": only,
        "items": items,
        "rows": rows,
        "current": current,
        "previous_url": queue_url(source=getattr(only, "name", ""), item=keys[position - 1])
        if current and position > 0
        else "",
        "next_key": keys[position + 1] if position + 1 < len(keys) else "",
        "form": DecideForm(),
    }
    if current is not None:
        source = queue.queue_source_get(current.source, sources)
        obj = source.load([current.pk]).get(current.pk, current.obj)
        context.update(
            current_source=source,
            current_preview=preview(obj),
            current_change_url=change_url(obj),
            next_url=queue_url(source=getattr(only, "name", ""), item=context["next_key"])
            if context["next_key"]
            else "",
        )
    return TemplateResponse(request, "admin/moderation/queue.html", context)


@require_POST
def decide_view(request):
    sources = _sources(request)
    form = DecideForm(request.POST)
    source = request.POST.get("source", "")
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors) + " Nothing changed.")
        return HttpResponseRedirect(queue_url(source=source, item=request.POST.get("item", "")))
    data = form.cleaned_data
    approve = data["decision"] == APPROVE
    decisions = queue.queue_decide(
        sources=sources,
        keys=data["keys"],
        approve=approve,
        moderator=request.user,
        reason=data["reason"],
    )
    # The services record each decision in the admin's action log (cnt/audit.py).
    changed = [decision for decision in decisions if decision.changed]
    verb = "approved" if approve else "rejected"
    if changed:
        messages.success(request, f"{len(changed)} item(s) {verb}.")
    if len(decisions) > len(changed):
        messages.info(
            request,
            f"{len(decisions) - len(changed)} item(s) were already decided; nothing changed.",
        )
    if not decisions:
        messages.warning(request, "Those items are no longer in the queue.")
    return HttpResponseRedirect(queue_url(source=data["source"], item=data["next"]))
