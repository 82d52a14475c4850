from django.urls import path

from trading import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="account-set-password"),
    path("projects/<str:code>/", views.project_detail, name="project-detail"),
    path("projects/<str:code>/attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("projects/<str:code>/complaint/", views.project_complaint, name="project-complaint"),
    path("projects/<str:code>/register/", views.project_register, name="project-register"),
    path("projects/<str:code>/registrations/", views.project_registrations, name="project-registrations"),
    path("projects/<str:code>/manage/", views.project_manage, name="project-manage"),
    path("projects/<str:code>/edit/", views.project_edit, name="project-edit"),
    path("sessions/<int:pk>/", views.session_attendance, name="session-attendance"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/new/", views.project_new, name="project-new"),
    path("my/registrations/", views.my_registrations, name="my-registrations"),
    path("notifications/", views.notifications_inbox, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    # the centre's reference data (中心管理)
    path("centre/", views.centre_organisations, name="centre-organisations"),
    path("centre/organisations/<int:pk>/", views.centre_organisation, name="centre-organisation"),
    path("centre/rooms/", views.centre_rooms, name="centre-rooms"),
    path("centre/users/", views.centre_users, name="centre-users"),
    path("my/organisation/", views.my_organisation, name="my-organisation"),
    path("projects/<str:code>/question/", views.project_question, name="project-question"),
    # the centre's notice texts with their versions
    path("centre/notices/", views.centre_notices, name="centre-notices"),
    path("centre/notices/<str:notice>/", views.centre_notice, name="centre-notice"),
]

api_urlpatterns = [
    path("projects", api.ProjectListView.as_view(), name="api-projects"),
    path("projects/<str:code>", api.ProjectDetailView.as_view(), name="api-project"),
    path("projects/<str:code>/publish", api.ProjectPublishView.as_view(), name="api-project-publish"),
    path("projects/<str:code>/close", api.ProjectCloseView.as_view(), name="api-project-close"),
    path("projects/<str:code>/fail", api.ProjectFailRoundView.as_view(), name="api-project-fail"),
    path("projects/<str:code>/registrations", api.RegistrationListView.as_view(), name="api-registrations"),
    path("projects/<str:code>/sessions", api.SessionCreateView.as_view(), name="api-sessions"),
    path("rooms", api.RoomsView.as_view(), name="api-rooms"),
    path("token", api.ApiTokenView.as_view(), name="api-token"),
    path("sessions/<int:pk>/attendance", api.AttendanceView.as_view(), name="api-attendance"),
    path("projects/<str:code>/award", api.AwardView.as_view(), name="api-award"),
    path("projects/<str:code>/contracts", api.ContractListView.as_view(), name="api-contracts"),
    path("contracts/<int:pk>/sign", api.ContractSignView.as_view(), name="api-contract-sign"),
    path("projects/<str:code>/complaints", api.ComplaintListView.as_view(), name="api-complaints"),
    path("complaints/<int:pk>/answer", api.ComplaintAnswerView.as_view(), name="api-complaint-answer"),
    path("projects/<str:code>/legal-hold/release", api.LegalHoldReleaseView.as_view(), name="api-legal-hold-release"),
    path("projects/<str:code>/followup", api.FollowUpView.as_view(), name="api-followup"),
    path("projects/<str:code>/milestones", api.MilestoneListView.as_view(), name="api-milestones"),
    path("projects/<str:code>/referrals", api.ReferralView.as_view(), name="api-referrals"),
    path("projects/<str:code>/attachments", api.AttachmentListView.as_view(), name="api-attachments"),
    # reference data of the centre
    path("organisations", api.OrganisationCreateView.as_view(), name="api-organisations"),
    path("organisations/<int:pk>/certificates", api.CertificateCreateView.as_view(), name="api-certificates"),
    path("organisations/<int:pk>/managers", api.ManagerCreateView.as_view(), name="api-managers"),
    path("organisations/<int:pk>/bad-behaviour", api.BadBehaviourCreateView.as_view(), name="api-bad-behaviour"),
    path("users", api.UserCreateView.as_view(), name="api-users"),
    path("rooms/<int:pk>/sessions", api.RoomSessionsView.as_view(), name="api-room-sessions"),
    # the end of the life cycle; change notices and clarifications
    path("projects/<str:code>/complete", api.ProjectCompleteView.as_view(), name="api-project-complete"),
    path("projects/<str:code>/terminate", api.ProjectTerminateView.as_view(), name="api-project-terminate"),
    path("projects/<str:code>/amendments", api.AmendmentListView.as_view(), name="api-amendments"),
    path("projects/<str:code>/questions", api.QuestionListView.as_view(), name="api-questions"),
    path("questions/<int:pk>/answer", api.QuestionAnswerView.as_view(), name="api-question-answer"),
    # the centre's notice texts (public)
    path("notices", api.NoticeListView.as_view(), name="api-notices"),
    path("notifications", api.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/<int:pk>/read", api.NotificationReadView.as_view(), name="api-notification-read"),
    path("notices/<str:notice>", api.NoticeDetailView.as_view(), name="api-notice"),
]
