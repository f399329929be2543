from django.contrib import admin

from finance.models import BankDetails, Donation, PaymentAccount


@admin.register(BankDetails)
class BankDetailsAdmin(admin.ModelAdmin):
    list_display = ("account_holder_name", "user", "bank_name", "currency", "is_verified")
    list_filter = ("is_verified", "currency")
    search_fields = ("account_holder_name", "bank_name", "user__username")
    raw_id_fields = ("user",)


@admin.register(PaymentAccount)
class PaymentAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "provider_account_id", "is_default", "is_active")
    list_filter = ("provider", "is_active")
    search_fields = ("provider_account_id", "user__username")
    raw_id_fields = ("user",)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ("id", "donor", "recipient", "amount", "currency", "status", "created_at")
    list_filter = ("status", "provider", "currency")
    search_fields = ("provider_reference", "donor__username", "recipient__name")
    raw_id_fields = ("donor", "recipient")
    readonly_fields = ("provider_reference", "idempotency_key", "completed_at", "created_at")
    date_hierarchy = "created_at"
    list_select_related = ("donor", "recipient")
