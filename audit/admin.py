from django.contrib import admin

from audit.models import Checkpoint, LedgerEntry
from core.roles import can


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is evidence: nobody adds, changes or deletes through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "audit.read")

    def has_module_permission(self, request) -> bool:
        return can(request.user, "audit.read")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "role", "action", "object_type", "object_id", "project"]
    list_filter = ["action", "role", "object_type"]
    search_fields = ["project", "actor", "object_id"]
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash", "reason", "published_at", "location"]
