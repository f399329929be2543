"""Community posts as a content kind: moderated (approval setting, reports), not played."""

from django.utils.translation import gettext_noop

from catalog.kinds import ContentKind, kind_register

COMMUNITY_POST = kind_register(
    ContentKind(
        name="community_post",
        label=gettext_noop("Community post"),
        model_label="community.CommunityPost",
        position=50,
        owner_field="author",
        image_fields=("image",),
    )
)
