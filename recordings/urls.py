"""Pages and API routes of the recordings app (the API list is mounted under /api/ by config/urls.py)."""

from django.urls import path

from recordings import api, views

urlpatterns = [
    path("recordings/", views.recordings_index, name="recordings"),
    path("recordings/<int:pk>/", views.recording_detail, name="recording-detail"),
    path("recordings/objects/<path:key>", views.object_link, name="recording-object"),
    path("sessions/<int:pk>/recordings/", views.session_recordings, name="session-recordings"),
    path("sessions/<int:pk>/recordings/upload/", views.recording_upload, name="recording-upload"),
]

api_urlpatterns = [
    path("sessions/<int:pk>/recordings", api.SessionRecordingsView.as_view(), name="api-session-recordings"),
    path("recordings/<int:pk>", api.RecordingView.as_view(), name="api-recording"),
    path("recordings/<int:pk>/playback", api.PlaybackView.as_view(), name="api-recording-playback"),
]
