from django.urls import path

from . import views

# The matter and meeting pages' names are used by the models' get_absolute_url. Each list's
# export is the list's path + export/, taking the same filters.
app_name = "consultations"
urlpatterns = [
    path("", views.board, name="board"),
    path("matters/", views.matter_list, name="matter_list"),
    path("matters/export/", views.matter_list_export, name="matter_list_export"),
    path("matters/new/", views.matter_create, name="matter_create"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("matters/<int:pk>/register/", views.matter_register, name="matter_register"),
    path("matters/<int:pk>/assignment/", views.matter_assignment, name="matter_assignment"),
    path("matters/<int:pk>/outcome/", views.matter_outcome, name="matter_outcome"),
    path("matters/<int:pk>/projects/new/", views.project_create, name="project_create"),
    path(
        "matters/<int:pk>/projects/<int:project_pk>/edit/",
        views.project_edit,
        name="project_edit",
    ),
    path(
        "matters/<int:pk>/projects/<int:project_pk>/delete/",
        views.project_delete,
        name="project_delete",
    ),
    path("matters/<int:pk>/advance/", views.matter_advance, name="matter_advance"),
    path("matters/<int:pk>/send-back/", views.matter_send_back, name="matter_send_back"),
    path("matters/<int:pk>/progress/", views.progress_create, name="progress_create"),
    path("matters/<int:pk>/meetings/new/", views.meeting_create, name="matter_meeting_create"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/export/", views.meeting_list_export, name="meeting_list_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/export/", views.task_list_export, name="task_list_export"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("files/<int:pk>/", views.meeting_file, name="meeting_file"),
]
