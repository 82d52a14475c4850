"""Pages and API routes of the archive app (the API list is mounted under /api/ by config/urls.py)."""

from django.urls import path

from archive import api, views

urlpatterns = [
    path("projects/<str:code>/records/", views.project_records, name="archive-records"),
    path("projects/<str:code>/records/<str:kind>.pdf", views.record_pdf, name="archive-record-pdf"),
    path("projects/<str:code>/records/<str:kind>/signatures/", views.record_signatures, name="archive-record-signatures"),
    path("projects/<str:code>/dossiers/", views.dossier_build, name="archive-dossier-build"),
    path("projects/<str:code>/dossiers/v<int:version>.zip", views.dossier_download, name="archive-dossier"),
    path("statistics/", views.statistics_page, name="archive-statistics"),
    path("statistics/report.pdf", views.statistics_pdf, name="archive-statistics-pdf"),
]

api_urlpatterns = [
    path("ocds/<str:code>", api.OcdsReleasePackageView.as_view(), name="api-ocds"),
    path("ocds/<str:code>/record", api.OcdsRecordPackageView.as_view(), name="api-ocds-record"),
    path("statistics", api.StatisticsView.as_view(), name="api-statistics"),
    path("projects/<str:code>/records/<str:kind>/signatures", api.RecordSignaturesView.as_view(),
         name="api-record-signatures"),
    path("projects/<str:code>/records/<str:kind>/signatures/export", api.RecordSignaturesExportView.as_view(),
         name="api-record-signatures-export"),
]
