"""Recommendations: "listeners who played this also played", followed artists, categories
and trending, for `GET me/recommendations` and `GET {type}/{id}/related`.

models.py holds the derived tables, services.py the incremental update (a periodic task),
selectors.py the reads a request makes.
"""
