from django.urls import path

from lottery import api, views

urlpatterns = [
    path("projects/<str:code>/draw/", views.draw_screen, name="draw-screen"),
    path("projects/<str:code>/draw/rfc3797", views.draw_rfc3797, name="draw-rfc3797"),
    path("projects/<str:code>/result/", views.draw_result, name="draw-result"),
    path("verify/", views.verify_page, name="verify"),
    path("verify.py", views.verifier_download, name="verifier-download"),
]

api_urlpatterns = [
    path("projects/<str:code>/draw/inputs", api.DrawInputView.as_view(), name="api-draw-inputs"),
    path("projects/<str:code>/draw/state", api.DrawStateView.as_view(), name="api-draw-state"),
    path("projects/<str:code>/draw", api.DrawView.as_view(), name="api-draw"),
    path("projects/<str:code>/proof", api.ProofView.as_view(), name="api-proof"),
]
