"""Public podcast feeds: each artist's approved podcasts as RSS 2.0 with the iTunes and
Podcasting 2.0 namespaces, at /feeds/podcasts/{artist_id}.xml, for Apple Podcasts, Spotify
and any other podcast app. selectors.py reads, rss.py writes the XML, views.py serves it
and the stable (never expiring) enclosure and artwork URLs."""
