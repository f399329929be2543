"""DRF permissions for roles; the rules are in accounts/policies.py."""

from rest_framework.permissions import BasePermission

from accounts.policies import is_admin, is_moderator


class IsModerator(BasePermission):
    message = "Moderators only."

    def has_permission(self, request, view):
        return is_moderator(request.user)


class IsAdmin(BasePermission):
    message = "Administrators only."

    def has_permission(self, request, view):
        return is_admin(request.user)
