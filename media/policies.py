"""Who may see and change media assets."""

from accounts.policies import is_moderator
from media.models import MediaAsset


def can_view_asset(user, asset: MediaAsset) -> bool:
    """Owners and moderators see an asset's processing details and signed URLs."""
    return bool(user and user.is_authenticated) and (
        asset.owner_id == user.id or is_moderator(user)
    )


def can_upload_documents(user) -> bool:
    """Bible documents are curated: only moderators and admins upload them."""
    return is_moderator(user)


def can_reprocess_asset(user) -> bool:
    return is_moderator(user)
