"""Routes of the public podcast feeds, mounted at /feeds/podcasts/ (cnt/urls.py)."""

from django.urls import path, re_path

from catalog.feeds import selectors, views

_ENCLOSURE = "|".join(selectors.ENCLOSURE_EXTENSIONS)
_ARTWORK = "|".join(selectors.ARTWORK_EXTENSIONS)

urlpatterns = [
    path("<int:artist_id>.xml", views.podcast_feed, name="podcast-feed"),
    re_path(
        rf"^(?P<artist_id>[0-9]+)/artwork\.(?P<ext>{_ARTWORK})$",
        views.artist_artwork,
        name="podcast-feed-artwork",
    ),
    re_path(
        rf"^episodes/(?P<podcast_id>[0-9]+)\.(?P<ext>{_ENCLOSURE})$",
        views.episode_enclosure,
        name="podcast-feed-episode",
    ),
]
