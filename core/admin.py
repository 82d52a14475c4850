"""The task queue in the admin: jobs and the tasks that kept failing, for centre administrators. Read-only, except
that an administrator marks a failure resolved once its cause is dealt with (a command re-run by hand)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import Job, TaskFailure
from core.roles import can


class _AdministratorsOnly(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return can(request.user, "centre.admin")

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "centre.admin")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(_AdministratorsOnly):
    list_display = ["pk", "kind", "subject", "state", "progress", "attempts", "started_by", "created_at",
                    "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["subject"]


@admin.register(TaskFailure)
class TaskFailureAdmin(_AdministratorsOnly):
    list_display = ["pk", "task", "attempts", "error", "failed_at", "resolved_at"]
    list_filter = ["task", ("resolved_at", admin.EmptyFieldListFilter)]
    actions = ["mark_resolved"]

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, "centre.admin")  # for the action only: every field is read-only

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in TaskFailure._meta.fields]

    @admin.action(description=_("标记为已处理"))
    def mark_resolved(self, request, queryset) -> None:
        for failure in queryset.filter(resolved_at__isnull=True):
            failure.resolved_at = clock.now()
            failure.save(update_fields=["resolved_at"])
