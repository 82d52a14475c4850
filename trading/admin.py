from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from core import context
from core.errors import Conflict
from core.roles import PERSON_ROLES, SENSITIVE_ROLES, Role, can
from trading.models import Organisation, RoleGrant, SigningKey, User
from trading.services import accounts
from trading.services.signing_keys import signing_key_approve, signing_key_revoke

# Roles are the platform's permissions (core.roles). Django's groups and permissions are not used, and API tokens
# are issued by their owner (trading.services.accounts): the admin offers no form for any of them, so that nothing
# is handed out around the services (and around the two-person approval of sensitive roles).
for _model in (Group, TokenProxy):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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

    # History is evidence: an old version is shown, never saved back. A revert would write the old row around every
    # service (an old role, a withdrawn bid), so the history form takes no POST.
    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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


ROLE_HELP = _("纪检监察、现场监督角色的授予或撤销须经另一名纪检监察人员审批后生效，并须写明理由；其他角色立即生效。")


class _RoleRequestForm:
    """The request for a role, checked by the service's own rules before anything is saved (errors show next to
    the fields); the admin files it through the service after the account is saved."""

    actor: User | None = None  # the administrator, set by UserAdmin.get_form

    def _check_role_request(self, user: User, role: str, reason: str) -> None:
        try:
            accounts.role_grant_check(actor=self.actor, user=user, role=role, reason=reason)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error({"role": "new_role", "reason": "role_reason"}.get(field), errors)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        except Conflict as exc:
            self.add_error("new_role", exc.detail)


class UserCreateForm(_RoleRequestForm, AdminUserCreationForm):
    new_role = forms.ChoiceField(label=_("角色"), choices=PERSON_ROLES, initial=Role.NONE, help_text=ROLE_HELP)
    role_reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_role") and cleaned["new_role"] != Role.NONE:
            new = User(username=cleaned.get("username") or "", role=Role.NONE)
            self._check_role_request(new, cleaned["new_role"], cleaned.get("role_reason", ""))
        return cleaned


class UserChangeWithRoleForm(_RoleRequestForm, UserChangeForm):
    new_role = forms.ChoiceField(label=_("申请变更为"), choices=[("", _("（不变更）")), *PERSON_ROLES],
                                 required=False, help_text=ROLE_HELP)
    role_reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_role"):
            self._check_role_request(self.instance, cleaned["new_role"], cleaned.get("role_reason", ""))
        return cleaned


@admin.register(User)
class UserAdmin(CentreAdmin, BaseUserAdmin):
    """Accounts: the administrator creates them and edits names, organisation and whether they are active; a role
    is only requested here (trading.services.accounts), and the role, the staff and superuser flags that follow it,
    groups and permissions are never edited by hand."""

    form = UserChangeWithRoleForm
    add_form = UserCreateForm
    list_display = ["username", "first_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email", "organisation")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
        (_("角色"), {"fields": ("role", "is_staff", "is_superuser", "pending_role", "new_role", "role_reason")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": (
        "username", "usable_password", "password1", "password2", "first_name", "organisation", "new_role",
        "role_reason")}),)
    readonly_fields = ["role", "is_staff", "is_superuser", "last_login", "date_joined", "pending_role"]
    filter_horizontal = ()

    @admin.display(description=_("待审批的角色申请"))
    def pending_role(self, obj: User) -> str:
        grant = obj.role_grants.filter(state=RoleGrant.State.PENDING).first() if obj.pk else None
        return str(grant.get_role_display()) if grant else "—"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change) -> None:
        if not change:  # a new account holds no role until the request below gives it one
            obj.role, obj.is_staff, obj.is_superuser = Role.NONE, False, False
        with context.acting(request.user):
            super().save_model(request, obj, form, change)
        role = form.cleaned_data.get("new_role")
        if role and role != obj.role:
            grant = accounts.role_grant_request(actor=request.user, user=obj, role=role,
                                                reason=form.cleaned_data.get("role_reason", ""))
            if grant.state == RoleGrant.State.PENDING:
                messages.warning(request, gettext("角色申请已提交，待纪检监察人员审批后生效：%(role)s") % {
                    "role": grant.get_role_display()})

    def user_change_password(self, request, id, form_url=""):
        # an inspector's or supervisor's password is their own: a password the administrator set would let the
        # administrator act as them (after approval the person sets it through a one-time link)
        user = self.get_object(request, unquote(id))
        if user is not None and user.role in SENSITIVE_ROLES:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyCentreAdmin):
    list_display = ["user", "old_role", "role", "state", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["state", "role"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyCentreAdmin):
    """Personal signing keys: read-only rows; the administrator binds pending keys with the action below (the same
    service as the key page, trading.services.signing_keys) and revokes on the key page, where a reason is given."""

    list_display = ["user", "label", "fingerprint", "state_label", "registered_at", "approved_at", "revoked_at"]
    list_filter = [("approved_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "fingerprint", "label"]
    actions = ["approve_keys", "revoke_keys"]

    @admin.display(description=_("状态"))
    def state_label(self, obj: SigningKey) -> str:
        return obj.get_state_display()

    @admin.action(description=_("核实并绑定所选的待审核密钥"))
    def approve_keys(self, request, queryset) -> None:
        for key in queryset:
            try:
                signing_key_approve(actor=request.user, key=key)
            except (Conflict, PermissionDenied) as exc:
                self.message_user(request, f"{key}: {getattr(exc, 'detail', exc)}", level="error")
            else:
                self.message_user(request, _("已绑定：%(key)s") % {"key": key})

    @admin.action(description=_("吊销所选密钥（须写明原因）"))
    def revoke_keys(self, request, queryset):
        """Asks for the reason on a page of its own, then revokes each key through the service."""
        if "apply" not in request.POST:
            return TemplateResponse(request, "admin/trading/signingkey/revoke.html",
                                    {**self.admin_site.each_context(request), "keys": list(queryset)})
        for key in queryset:
            try:
                signing_key_revoke(actor=request.user, key=key, reason=request.POST.get("reason", ""))
            except (Conflict, PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{key}: {getattr(exc, 'detail', None) or ' '.join(getattr(exc, 'messages', [str(exc)]))}",
                                  level="error")
            else:
                self.message_user(request, _("已吊销：%(key)s") % {"key": key})
        return None
