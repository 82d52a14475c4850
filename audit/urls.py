from django.urls import path

from audit import api

api_urlpatterns = [
    path("audit/verify", api.AuditVerifyView.as_view(), name="api-audit-verify"),
    path("audit/checkpoint", api.CheckpointView.as_view(), name="api-audit-checkpoint"),
    path("audit/proof/inclusion", api.InclusionProofView.as_view(), name="api-audit-inclusion"),
    path("audit/proof/consistency", api.ConsistencyProofView.as_view(), name="api-audit-consistency"),
    path("audit/cosignatures", api.CosignatureView.as_view(), name="api-audit-cosignatures"),
]

urlpatterns = [
    path("audit/logverify.py", api.logverify_script, name="audit-logverify"),
]
