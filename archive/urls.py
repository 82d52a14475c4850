"""Pages and API routes of the archive app (the API list is mounted under /api/ by config/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

api_urlpatterns: list = []
