"""Read-only admin of recordings and recorder tokens: every change goes through the services (upload, purge,
token issue and revoke), never through a form."""

from django.contrib import admin

from recordings.models import RecorderToken, Recording
from trading.admin import ReadOnlyCentreAdmin as ReadOnlyAdmin


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "session", "status", "original_name", "duration_s", "sha256", "retention_until"]
    list_filter = ["status"]
    search_fields = ["sha256", "key", "session__project__code"]
    list_select_related = ["session__room", "session__project"]


@admin.register(RecorderToken)
class RecorderTokenAdmin(ReadOnlyAdmin):
    list_display = ["pk", "room", "label", "created_at", "revoked_at"]
    exclude = ["token_hash"]
