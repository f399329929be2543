from django.contrib import admin

from cnt.notifications.models import Notification, NotificationFanout, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "type", "read_at", "created_at")
    list_filter = ("type",)
    search_fields = ("title", "message", "recipient__username")
    raw_id_fields = ("recipient", "actor")
    list_select_related = ("recipient",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "in_app", "email", "push")
    list_filter = ("type",)
    raw_id_fields = ("user",)


@admin.register(NotificationFanout)
class NotificationFanoutAdmin(admin.ModelAdmin):
    """Read-only: the record that a fan-out ran, kept so a retry sends nothing twice."""

    list_display = ("key", "type", "recipients_count", "created_at")
    list_filter = ("type",)
    search_fields = ("key",)
    readonly_fields = ("key", "type", "recipients_count", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
