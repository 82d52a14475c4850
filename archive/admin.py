from django.contrib import admin

from archive.models import Dossier
from trading.admin import CentreAdmin


@admin.register(Dossier)
class DossierAdmin(CentreAdmin):
    """Read-only: dossiers are built by `build_dossier` or the button on the project's records page."""

    list_display = ("project", "version", "built_at", "files", "size", "sha256", "retention_until")
    search_fields = ("project__code", "sha256", "key")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
