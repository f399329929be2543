from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import EmailVerification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "is_email_verified",
        "is_active",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "is_email_verified", "groups")
    search_fields = ("username", "email", "display_name")
    ordering = ("-date_joined",)
    raw_id_fields = ("avatar",)
    readonly_fields = ("last_login", "date_joined", "updated_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("email", "display_name", "bio", "avatar", "is_email_verified")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined", "updated_at", "deleted_at")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A deactivated account is signed out everywhere, open sockets included.
            from accounts.services import user_tokens_revoke_all

            user_tokens_revoke_all(user=obj, reason="Account deactivated.")

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "display_name", "password1", "password2"),
            },
        ),
    )


@admin.register(EmailVerification)
class EmailVerificationAdmin(admin.ModelAdmin):
    list_display = ("email", "purpose", "attempts", "expires_at", "consumed_at", "created_at")
    list_filter = ("purpose",)
    search_fields = ("email",)
    raw_id_fields = ("user",)
    readonly_fields = ("code_hash", "attempts", "created_at")
