from django.urls import path

from trading import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("projects/<str:code>/", views.project_detail, name="project-detail"),
    path("projects/<str:code>/register/", views.project_register, name="project-register"),
    path("projects/<str:code>/registrations/", views.project_registrations, name="project-registrations"),
    path("projects/<str:code>/manage/", views.project_manage, name="project-manage"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/new/", views.project_new, name="project-new"),
    path("my/registrations/", views.my_registrations, name="my-registrations"),
]

api_urlpatterns = [
    path("projects", api.ProjectListView.as_view(), name="api-projects"),
    path("projects/<str:code>", api.ProjectDetailView.as_view(), name="api-project"),
    path("projects/<str:code>/publish", api.ProjectPublishView.as_view(), name="api-project-publish"),
    path("projects/<str:code>/close", api.ProjectCloseView.as_view(), name="api-project-close"),
    path("projects/<str:code>/registrations", api.RegistrationListView.as_view(), name="api-registrations"),
    path("projects/<str:code>/sessions", api.SessionCreateView.as_view(), name="api-sessions"),
    path("rooms", api.RoomListView.as_view(), name="api-rooms"),
    path("sessions/<int:pk>/attendance", api.AttendanceView.as_view(), name="api-attendance"),
]
