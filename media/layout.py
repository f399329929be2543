"""The storage layout: where originals and derived files live. Keys are server-generated."""

import uuid

from media.models import AssetKind, AssetPurpose

ORIGINAL_PREFIX = {
    AssetPurpose.AUDIO: "audio",
    AssetPurpose.VIDEO: "video",
    AssetPurpose.BIBLE_STORY: "animated-bible-stories",
    AssetPurpose.QUOTE: "images/quotes",
    AssetPurpose.THUMBNAIL: "images/thumbnails",
    AssetPurpose.MOVIE_POSTER: "images/movies",
    AssetPurpose.PROFILE: "images/profiles",
    AssetPurpose.DOCUMENT: "documents",
}

KIND_OF_PURPOSE = {
    AssetPurpose.AUDIO: AssetKind.AUDIO,
    AssetPurpose.VIDEO: AssetKind.VIDEO,
    AssetPurpose.BIBLE_STORY: AssetKind.VIDEO,
    AssetPurpose.QUOTE: AssetKind.IMAGE,
    AssetPurpose.THUMBNAIL: AssetKind.IMAGE,
    AssetPurpose.MOVIE_POSTER: AssetKind.IMAGE,
    AssetPurpose.PROFILE: AssetKind.IMAGE,
    AssetPurpose.DOCUMENT: AssetKind.DOCUMENT,
}

PURPOSE_OF_KIND = {
    AssetKind.AUDIO: AssetPurpose.AUDIO,
    AssetKind.VIDEO: AssetPurpose.VIDEO,
    AssetKind.IMAGE: AssetPurpose.THUMBNAIL,
    AssetKind.DOCUMENT: AssetPurpose.DOCUMENT,
}


def original_key(purpose: str, extension: str) -> str:
    return f"{ORIGINAL_PREFIX[purpose]}/{uuid.uuid4()}.{extension}"


def asset_root(purpose: str, asset_id) -> str:
    """Everything derived from one asset lives below this prefix."""
    return f"{ORIGINAL_PREFIX[purpose]}/processed/{asset_id}"


def run_prefix(purpose: str, asset_id, run_id: str) -> str:
    """One processing run writes here; publishing points the asset at it."""
    return f"{asset_root(purpose, asset_id)}/{run_id}"


def purpose_of(asset) -> str:
    """The asset's purpose, or for rows stored without one (early profile pictures) the
    purpose whose prefix holds its original."""
    if asset.purpose:
        return asset.purpose
    for purpose, prefix in ORIGINAL_PREFIX.items():
        if asset.storage_key.startswith(f"{prefix}/"):
            return purpose
    return PURPOSE_OF_KIND.get(asset.kind, AssetPurpose.DOCUMENT)


VERSIONED_PREFIX = "v"


def versioned_path(output_prefix: str, relative: str) -> str:
    """The URL path of a derived file that names the run it belongs to (`v/<run>/<path>`):
    a new run gives new URLs, so a URL's bytes never change and caches may keep them."""
    return f"{VERSIONED_PREFIX}/{output_prefix.rsplit('/', 1)[-1]}/{relative}"
