from django.urls import path, re_path

from inspection import api, views

urlpatterns = [
    path("inspect/", views.timeline, name="inspect-timeline"),
    path("inspect/entries/<int:seq>/", views.entry_detail, name="inspect-entry"),
    path("inspect/projects/<str:code>/", views.project_trail, name="inspect-project"),
    path("inspect/projects/<str:code>/release-hold/", views.hold_release, name="inspect-hold-release"),
    path("inspect/projects/<str:code>/registrations/", views.registrations_open, name="inspect-registrations-open"),
    re_path(r"^inspect/export\.(?P<fmt>csv|pdf)$", views.export, name="inspect-export"),
    path("inspect/chain/", views.chain, name="inspect-chain"),
    path("inspect/chain/verify/", views.chain_verify, name="inspect-chain-verify"),
    path("inspect/inbox/", views.inbox, name="inspect-inbox"),
    path("inspect/findings/", views.risk_findings, name="inspect-findings"),
    path("inspect/roles/", views.role_grants, name="inspect-role-grants"),
    path("inspect/roles/<int:pk>/decide/", views.role_grant_decide, name="inspect-role-grant-decide"),
]

api_urlpatterns = [
    path("audit", api.AuditListView.as_view(), name="api-audit"),
]
