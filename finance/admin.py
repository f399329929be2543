"""Finance in Django Admin. Money records are read-only here: changes go through services.

Bank details are shown decrypted only to staff holding `finance.view_bankdetails` (the
changelist masks them); verifying them is an audited action. Donations have a CSV export
action and a totals report (per period, recipient and currency) with its own CSV download.
"""

import csv
from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from cnt.admin import ReadOnlyAdmin
from finance import crypto, policies, selectors, services
from finance.models import (
    BankDetails,
    BankDetailsChange,
    Donation,
    PaymentAccount,
    PaymentAccountStatus,
    ProcessedWebhookEvent,
)


@admin.register(BankDetails)
class BankDetailsAdmin(ReadOnlyAdmin):
    list_display = (
        "account_holder_name",
        "user",
        "bank_name",
        "masked_account",
        "currency",
        "is_verified",
        "updated_at",
    )
    list_filter = ("is_verified", "currency", "country")
    search_fields = ("account_holder_name", "bank_name", "user__username", "user__email")
    list_select_related = ("user",)
    fields = (
        "user",
        "account_holder_name",
        "bank_name",
        "account_number",
        "routing_code",
        "iban",
        "swift_bic",
        "country",
        "currency",
        "is_verified",
        "created_at",
        "updated_at",
        "change_history",
    )
    readonly_fields = fields
    actions = ("mark_verified", "mark_unverified")

    def has_view_permission(self, request, obj=None):
        return policies.can_view_full_bank_details(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_verify_permission(self, request):
        return policies.can_verify_bank_details(request.user)

    @admin.display(description="account")
    def masked_account(self, obj):
        return crypto.mask(obj.account_number or obj.iban)

    @admin.display(description="changes (who, when, which fields)")
    def change_history(self, obj):
        changes = BankDetailsChange.objects.filter(owner_id=obj.user_id).select_related(
            "changed_by"
        )[:50]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                    c.get_action_display(),
                    ", ".join(c.fields) or "—",
                    c.changed_by or "—",
                    c.source,
                )
                for c in changes
            ),
        )
        return format_html("<table>{}</table>", rows) if changes else "—"

    def _set_verified(self, request, queryset, verified: bool):
        changed = sum(
            services.bank_details_set_verified(
                details=details, verified=verified, changed_by=request.user
            )
            for details in queryset
        )
        self.message_user(request, f"{changed} bank details updated.", messages.SUCCESS)

    @admin.action(description="Mark as verified", permissions=["verify"])
    def mark_verified(self, request, queryset):
        self._set_verified(request, queryset, True)

    @admin.action(description="Mark as not verified", permissions=["verify"])
    def mark_unverified(self, request, queryset):
        self._set_verified(request, queryset, False)


@admin.register(BankDetailsChange)
class BankDetailsChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "owner", "action", "field_names", "changed_by", "source")
    list_filter = ("action", "source")
    search_fields = ("owner__username", "changed_by__username")
    list_select_related = ("owner", "changed_by")
    date_hierarchy = "created_at"

    @admin.display(description="fields")
    def field_names(self, obj):
        return ", ".join(obj.fields)


@admin.register(PaymentAccount)
class PaymentAccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "provider", "provider_account_id", "status", "is_default", "created_at")
    list_filter = ("provider", "status")
    search_fields = ("provider_account_id", "user__username")
    list_select_related = ("user",)
    actions = ("activate", "disable")

    def has_status_permission(self, request):
        return request.user.has_perm("finance.change_paymentaccount")

    def _set_status(self, request, queryset, status):
        for account in queryset:
            services.payment_account_set_status(account=account, status=status)
        self.message_user(request, f"{len(queryset)} accounts now {status}.", messages.SUCCESS)

    @admin.action(description="Activate", permissions=["status"])
    def activate(self, request, queryset):
        self._set_status(request, queryset, PaymentAccountStatus.ACTIVE)

    @admin.action(description="Disable", permissions=["status"])
    def disable(self, request, queryset):
        self._set_status(request, queryset, PaymentAccountStatus.DISABLED)


# --- donations -----------------------------------------------------------------------------

DONATION_CSV_COLUMNS = (
    "id",
    "created_at",
    "completed_at",
    "status",
    "amount",
    "amount_refunded",
    "currency",
    "recipient_id",
    "recipient",
    "donor_id",
    "donor",
    "is_anonymous",
    "provider_reference",
)
TOTALS_CSV_COLUMNS = (
    "period",
    "recipient_id",
    "recipient",
    "currency",
    "count",
    "gross",
    "refunded",
    "net",
)


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


def _cell(value) -> str:
    """Spreadsheet-safe text: a leading = + - @ would run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class TotalsForm(forms.Form):
    period = forms.ChoiceField(
        choices=[(p, p.title()) for p in selectors.PERIODS], initial="month", required=False
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Inclusive.",
    )


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "donor",
        "recipient",
        "amount",
        "currency",
        "status",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "currency", "provider")
    search_fields = ("provider_reference", "donor__username", "recipient__name")
    list_select_related = ("donor", "recipient")
    date_hierarchy = "created_at"
    exclude = ("response_body",)
    actions = ("export_csv",)
    change_list_template = "admin/finance/donation/change_list.html"

    def has_export_permission(self, request):
        return policies.can_report_donations(request.user)

    @admin.action(description="Export selected donations as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        response, writer = _csv_response("donations.csv")
        writer.writerow(DONATION_CSV_COLUMNS)
        for d in queryset.select_related("donor", "recipient").order_by("created_at", "id"):
            writer.writerow(
                [
                    d.pk,
                    d.created_at.isoformat(),
                    d.completed_at.isoformat() if d.completed_at else "",
                    d.status,
                    d.amount,
                    d.amount_refunded,
                    d.currency,
                    d.recipient_id or "",
                    _cell(d.recipient.name if d.recipient else "CNT Media ministry"),
                    d.donor_id or "",
                    _cell(d.donor.username if d.donor else ""),
                    d.is_anonymous,
                    d.provider_reference,
                ]
            )
        return response

    def get_urls(self):
        return [
            path(
                "totals/",
                self.admin_site.admin_view(self.totals_view),
                name="finance_donation_totals",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "totals_url": reverse("admin:finance_donation_totals"),
        }
        return super().changelist_view(request, extra_context)

    def totals_view(self, request):
        """Totals of completed donations by period, recipient and currency (?format=csv)."""
        if not policies.can_report_donations(request.user):
            raise PermissionDenied
        form = TotalsForm(request.GET or None)
        period, start, end = "month", None, None
        if form.is_valid():
            period = form.cleaned_data["period"] or "month"
            tz = timezone.get_current_timezone()
            if form.cleaned_data["start"]:
                start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=tz)
            if form.cleaned_data["end"]:
                end = datetime.combine(form.cleaned_data["end"], time.max, tzinfo=tz)
        totals = selectors.donation_totals(period=period, start=start, end=end)
        if request.GET.get("format") == "csv":
            response, writer = _csv_response(f"donation-totals-{period}.csv")
            writer.writerow(TOTALS_CSV_COLUMNS)
            for row in totals:
                writer.writerow(
                    [
                        row.period.date().isoformat(),
                        row.recipient_id or "",
                        _cell(row.recipient_name),
                        row.currency,
                        row.count,
                        row.gross,
                        row.refunded,
                        row.net,
                    ]
                )
            return response
        query = request.GET.copy()
        query["format"] = "csv"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Donation totals",
            "form": form,
            "totals": totals,
            "period": period,
            "csv_query": query.urlencode(),
        }
        return TemplateResponse(request, "admin/finance/donation/totals.html", context)


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "event_type", "event_id", "outcome", "donation")
    list_filter = ("event_type", "outcome")
    search_fields = ("event_id",)
    date_hierarchy = "received_at"
