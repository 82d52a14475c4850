from django.contrib import admin

from archive.models import Dossier
from trading.admin import ReadOnlyCentreAdmin


@admin.register(Dossier)
class DossierAdmin(ReadOnlyCentreAdmin):
    """Read-only: dossiers are built by `build_dossier` or the button on the project's records page."""

    list_display = ("project", "version", "built_at", "files", "size", "sha256", "retention_until")
    search_fields = ("project__code", "sha256", "key")
