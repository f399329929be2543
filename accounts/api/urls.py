"""Routes of the accounts API (included at /api/v1/ by cnt/api/urls.py)."""

urlpatterns: list = []
