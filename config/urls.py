from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView

from audit.urls import api_urlpatterns as audit_api
from lottery.urls import api_urlpatterns as lottery_api
from trading.urls import api_urlpatterns as trading_api

api_urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    *audit_api,
    *trading_api,
    *lottery_api,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("trading.urls")),
    path("", include("lottery.urls")),
]
