"""Read-only admin of recordings and recorder tokens: every change goes through the services (upload, purge,
token issue and revoke), never through a form."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from config.roles import can
from recordings.models import RecorderToken, Recording


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_module_permission(self, request) -> bool:
        return can(request.user, "centre.admin") or can(request.user, "audit.read")

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
