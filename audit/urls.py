from django.urls import path

from audit import api

api_urlpatterns = [
    path("audit/verify", api.AuditVerifyView.as_view(), name="api-audit-verify"),
]
