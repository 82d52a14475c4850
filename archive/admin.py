from django.contrib import admin

from archive.models import Dossier, RecordSignature
from trading.admin import ReadOnlyCentreAdmin


@admin.register(Dossier)
class DossierAdmin(ReadOnlyCentreAdmin):
    """Read-only: dossiers are built by `build_dossier` or the button on the project's records page."""

    list_display = ("project", "version", "built_at", "files", "size", "sha256", "retention_until")
    search_fields = ("project__code", "sha256", "key")


@admin.register(RecordSignature)
class RecordSignatureAdmin(ReadOnlyCentreAdmin):
    """Read-only: a signature is made in the signer's browser and verified by archive.signatures.record_sign."""

    list_display = ("project", "kind", "signer", "standing", "signed_at", "digest")
    list_filter = ("kind", "standing")
    search_fields = ("project__code", "signer__username", "digest")
