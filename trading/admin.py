from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.roles import PERSON_ROLES, can
from trading.models import Organisation, User


class CentreAdmin(SimpleHistoryAdmin):
    """Admin for centre administrators with the history view; deactivate instead of delete."""

    def has_module_permission(self, request) -> bool:
        return can(request.user, "centre.admin") or can(request.user, "audit.read")

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "centre.admin") or can(request.user, "audit.read")

    def has_add_permission(self, request) -> bool:
        return can(request.user, "centre.admin")

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, "centre.admin")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyCentreAdmin(CentreAdmin):
    """For records only services write (their rules and the ledger): administrators and inspectors see them,
    nobody adds, changes or deletes through a form."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(CentreAdmin):
    list_display = ["name", "uscc", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "uscc"]


@admin.register(User)
class UserAdmin(CentreAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("角色", {"fields": ("role", "organisation")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("角色", {"fields": ("role", "organisation")}))

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":  # the system role is the system account's alone
            kwargs["choices"] = PERSON_ROLES
        return super().formfield_for_choice_field(db_field, request, **kwargs)
