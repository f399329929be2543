"""Publishing from the admin: every file of an item (its media and its covers) on one page,
where a moderator uploads a replacement (with a progress bar) or reprocesses an asset, and
a "publish" page for the catalogue's kinds that uploads a file and creates the item.

Uploads go through the media pipeline's own service (media.services: validated by content,
stored under the layout, queued for processing), items change through catalog services
(content_asset_replace, content_create), and reprocessing calls the same function as
`manage.py media_reprocess`. A small static script (admin/publishing/upload.js) sends the
form with XMLHttpRequest to show progress; without it the form posts as usual.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.policies import is_moderator
from catalog import kinds
from catalog.services import content_asset_replace, content_create
from cnt.errors import ApplicationError
from media import services as media_services
from media.models import AssetKind, AssetPurpose
from media.pipeline import asset_reprocess

# The storage layout's place for a new file, by the field it goes into (media/layout.py).
FIELD_PURPOSES = {
    "audio": AssetPurpose.AUDIO,
    "video": AssetPurpose.VIDEO,
    "thumbnail": AssetPurpose.THUMBNAIL,
    "poster": AssetPurpose.MOVIE_POSTER,
    "image": AssetPurpose.THUMBNAIL,
}
KIND_FIELD_PURPOSES = {("bible_story", "video"): AssetPurpose.BIBLE_STORY}
PROCESSED = (AssetKind.AUDIO, AssetKind.VIDEO)


def purpose_for(kind_name: str, field: str) -> str:
    return KIND_FIELD_PURPOSES.get((kind_name, field), FIELD_PURPOSES[field])


def _is_xhr(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _errors_of(exc: ApplicationError) -> dict:
    if exc.errors:
        return {key: [str(m) for m in value] for key, value in dict(exc.errors).items()}
    return {"file": [str(exc.detail)]}


def _done(request, url: str):
    """Where to go after a successful upload: JSON for the script, a redirect otherwise."""
    return JsonResponse({"redirect": url}) if _is_xhr(request) else HttpResponseRedirect(url)


class ReplaceForm(forms.Form):
    field = forms.CharField(max_length=40)
    file = forms.FileField()


class FilesMixin:
    """For a moderated ModelAdmin: the item's "Files" page (`<pk>/files/`)."""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/files/",
                self.admin_site.admin_view(self.files_view),
                name=f"{opts.app_label}_{opts.model_name}_files",
            ),
            *super().get_urls(),
        ]

    def _file_fields(self, obj):
        kind = kinds.kind_for(self.model)
        from catalog.admin.console import asset_preview

        rows = []
        for field, accepted in (
            *kind.media_fields,
            *((name, (AssetKind.IMAGE,)) for name in kind.image_fields),
        ):
            asset = getattr(obj, field)
            rows.append(
                {
                    "name": field,
                    "label": field.replace("_", " ").capitalize(),
                    "accepts": accepted,
                    "accept_attr": ",".join(f"{kind}/*" for kind in accepted),
                    "asset": asset,
                    "preview": asset_preview(asset) if asset is not None else "",
                    "can_reprocess": asset is not None and asset.kind in PROCESSED,
                }
            )
        return rows

    def files_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (is_moderator(request.user) and self.has_change_permission(request, obj)):
            raise PermissionDenied
        opts = self.model._meta
        here = reverse(f"admin:{opts.app_label}_{opts.model_name}_files", args=[obj.pk])
        fields = {row["name"]: row for row in self._file_fields(obj)}
        errors = {}
        if request.method == "POST" and request.POST.get("reprocess"):
            row = fields.get(request.POST["reprocess"])
            if row and row["can_reprocess"]:
                asset_reprocess(asset=row["asset"])
                self.log_change(request, obj, f"Reprocessed its {row['name']} file")
                messages.success(request, f"The {row['name']} file is being processed again.")
            else:
                messages.error(request, "Nothing to reprocess there.")
            return HttpResponseRedirect(here)
        if request.method == "POST":
            form = ReplaceForm(request.POST, request.FILES)
            if form.is_valid() and form.cleaned_data["field"] in fields:
                field = form.cleaned_data["field"]
                try:
                    self._replace(request, obj, field, form.cleaned_data["file"])
                except ApplicationError as exc:
                    errors = _errors_of(exc)
                else:
                    messages.success(request, f"New {field} file uploaded; it is being processed.")
                    return _done(request, here)
            else:
                errors = dict(form.errors) or {"field": ["Unknown file field."]}
                errors = {key: [str(m) for m in value] for key, value in errors.items()}
            if _is_xhr(request):
                return JsonResponse({"errors": errors}, status=400)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Files of “{obj}”",
            "opts": opts,
            "original": obj,
            "fields": list(fields.values()),
            "errors": errors,
            "change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            ),
        }
        return TemplateResponse(request, "admin/publishing/files.html", context)

    def _replace(self, request, obj, field, upload):
        """Store the file as the owner's asset, then put it on the item; if the item refuses
        it, the new asset goes again (no orphan)."""
        kind = kinds.kind_for(obj)
        owner = getattr(obj, kind.owner_field, None) or request.user
        asset = media_services.asset_create_from_upload(
            owner=owner, purpose=purpose_for(kind.name, field), upload=upload
        )
        try:
            content_asset_replace(obj=obj, field=field, asset=asset, moderator=request.user)
        except ApplicationError:
            with transaction.atomic():
                media_services.asset_delete(asset=asset)
            raise
        self.log_change(request, obj, f"Uploaded a new {field} file ({asset.original_filename})")


class PublishForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(help_text="The audio or video, checked by its content.")
    cover = forms.ImageField(required=False, help_text="Optional cover image.")


class PublishMixin:
    """For the catalogue's kinds: "Publish a new …" (`publish/`): upload and create."""

    change_list_template = "admin/publishing/change_list.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name=f"{opts.app_label}_{opts.model_name}_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kind = kinds.kind_for(self.model)
        opts = self.model._meta
        form = PublishForm(request.POST or None, request.FILES or None)
        errors = {}
        if request.method == "POST":
            if form.is_valid():
                try:
                    obj = self._publish(request, kind, form.cleaned_data)
                except ApplicationError as exc:
                    errors = _errors_of(exc)
                else:
                    self.log_addition(request, obj, "Published from the admin")
                    messages.success(
                        request, f"“{obj}” published: {obj.get_status_display().lower()}."
                    )
                    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                    return _done(request, url)
            else:
                errors = {key: [str(m) for m in value] for key, value in form.errors.items()}
            if _is_xhr(request):
                return JsonResponse({"errors": errors}, status=400)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish a new {opts.verbose_name}",
            "opts": opts,
            "form": form,
            "errors": errors,
            "accept_attr": ",".join(f"{k}/*" for k in kind.asset_kinds),
        }
        return TemplateResponse(request, "admin/publishing/publish.html", context)

    def _publish(self, request, kind, data):
        """Upload the file (and cover) as the publisher's assets, then create the item the
        way the API does; if creating fails, the uploads go again."""
        upload = data["file"]
        media_kind = "video" if (upload.content_type or "").startswith("video/") else "audio"
        field = next(
            (name for name, accepted in kind.media_fields if media_kind in accepted),
            kind.media_field_names[0],
        )
        created = []
        try:
            asset = media_services.asset_create_from_upload(
                owner=request.user, purpose=purpose_for(kind.name, field), upload=upload
            )
            created.append(asset)
            cover = None
            if data.get("cover"):
                cover = media_services.asset_create_from_upload(
                    owner=request.user, purpose=AssetPurpose.THUMBNAIL, upload=data["cover"]
                )
                created.append(cover)
            return content_create(
                model=self.model,
                user=request.user,
                title=data["title"],
                description=data.get("description", ""),
                asset_id=asset.pk,
                cover_id=cover.pk if cover else None,
            )
        except ApplicationError:
            with transaction.atomic():
                for asset in created:
                    media_services.asset_delete(asset=asset)
            raise
