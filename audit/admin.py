from django.contrib import admin

from audit import sealing
from audit.models import Checkpoint, Cosignature, LedgerEntry
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
    """Entries sealed now (audit.sealing) are listed and shown masked, and left out of a search (a search names a
    person, an object or a project); the list is filtered by its filters only and sorted by time only, so that
    neither a narrowed list nor a sort order places a masked entry by its hidden values."""

    list_display = ["seq", "at", "actor", "role", "action", "object_type", "object_id", "project"]
    list_filter = ["action", "role", "object_type"]
    search_fields = ["project", "actor", "object_id"]
    sortable_by = ["seq", "at"]
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup.split("__")[0] in self.list_filter

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            queryset = sealing.current().exclude(queryset)
        return queryset, may_have_duplicates

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = list(map(sealing.current().show, changelist.result_list))
        return changelist

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        return None if found is None else sealing.current().show(found)


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "root_hash", "reason", "timestamp", "location"]


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "witness", "key_id", "signed_at", "received_at"]
