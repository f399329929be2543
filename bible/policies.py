"""Who may see and change Bible documents and stories.

Stories are moderated content and follow the catalogue's rules (catalog/policies.py):
approved for everyone, owners see their own, moderators see all, hidden answers 404.
Documents are curated: moderators create and change them; everyone reads published ones.
"""

from django.db.models import Q

from accounts.policies import is_moderator
from catalog import policies as content_policies

visible_to = content_policies.visible_to
can_view_story = content_policies.can_view_content
can_edit_story = content_policies.can_edit_content
can_see_moderation_details = content_policies.can_see_moderation_details


def _is_active_user(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_documents(user) -> bool:
    return content_policies.is_moderator(user)


def document_visibility_q(user) -> Q:
    """Published documents for everyone; unpublished ones for moderators too."""
    if can_manage_documents(user):
        return Q()
    return Q(is_published=True)


def can_use_document_file(user, asset) -> bool:
    """A PDF may back a document if the caller may see the upload (moderators see all)."""
    return _is_active_user(user) and (asset.owner_id == user.pk or is_moderator(user))
