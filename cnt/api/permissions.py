"""Permission bases shared by every app's API. The rules themselves live in each app's
policies.py; these classes only ask them."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class WritePolicyOrReadOnly(BasePermission):
    """Reads for anyone; writes for callers `write_policy(user)` allows. Anonymous writers
    are refused before the policy is asked, so they get 401 and others 403.

    Subclass and set `write_policy = staticmethod(policies.can_<verb>_<entity>)`.
    """

    message = "Moderators only."

    @staticmethod
    def write_policy(user) -> bool:
        return False

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        return self.write_policy(request.user)
