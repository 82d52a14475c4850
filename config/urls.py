from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

from archive.urls import api_urlpatterns as archive_api
from audit.urls import api_urlpatterns as audit_api
from core import api as core_api
from core import views
from evaluation.urls import api_urlpatterns as evaluation_api
from inspection.urls import api_urlpatterns as inspection_api
from lottery.urls import api_urlpatterns as lottery_api
from recordings.urls import api_urlpatterns as recordings_api
from trading.urls import api_urlpatterns as trading_api

api_urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("jobs/<int:pk>", core_api.JobView.as_view(), name="api-job"),
    *audit_api,
    *inspection_api,
    *trading_api,
    *lottery_api,
    *evaluation_api,
    *recordings_api,
    *archive_api,
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("api/", include(api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("trading.urls")),
    path("", include("lottery.urls")),
    path("", include("evaluation.urls")),
    path("", include("recordings.urls")),
    path("", include("archive.urls")),
    path("", include("inspection.urls")),
    path("", include("audit.urls")),
]

handler404 = "core.views.page_not_found"  # the site's page, with our own reason (templates/403.html needs none)
