from django.urls import path

from . import duty_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("export/", views.member_export, name="export"),
    path("bulk/", views.member_bulk, name="bulk"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("change-requests/", views.change_request_list, name="change_requests"),
    path(
        "change-requests/<int:pk>/approve/",
        views.change_request_approve,
        name="change_request_approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        views.change_request_reject,
        name="change_request_reject",
    ),
    path("me/change/", views.my_change_request, name="my_change_request"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/export/", views.session_export, name="session_export"),
    path("sessions/leave-requests/", views.leave_request_list, name="leave_requests"),
    path(
        "sessions/leave-requests/<int:pk>/approve/",
        views.leave_request_approve,
        name="leave_request_approve",
    ),
    path(
        "sessions/leave-requests/<int:pk>/refuse/",
        views.leave_request_refuse,
        name="leave_request_refuse",
    ),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/leave/", views.my_leave_request, name="my_leave_request"),
    path("duty-rules/", duty_views.rule_list, name="duty_rules"),
    path("duty-rules/<int:pk>/edit/", duty_views.rule_edit, name="duty_rule_edit"),
    path("duty-rules/<int:pk>/delete/", duty_views.rule_delete, name="duty_rule_delete"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/leave/", views.member_leave, name="leave"),
    path("<int:pk>/return/", views.member_return, name="return"),
    path("<int:pk>/login/", views.member_create_login, name="create_login"),
    path("<int:pk>/login/reset/", views.member_reset_password, name="reset_password"),
    path("<int:pk>/photo/", views.member_photo, name="photo"),
]
