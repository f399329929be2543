from django.contrib import admin

from support.models import SupportMessage


@admin.register(SupportMessage)
class SupportMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "email", "user", "status", "created_at", "responded_at")
    list_filter = ("status",)
    search_fields = ("subject", "message", "email", "user__username")
    raw_id_fields = ("user", "responded_by")
    readonly_fields = ("responded_by", "responded_at", "created_at", "updated_at")
    date_hierarchy = "created_at"
