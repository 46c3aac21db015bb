from django.urls import path

from . import views

# The matter and meeting pages' names are used by the models' get_absolute_url.
app_name = "consultations"
urlpatterns = [
    path("", views.board, name="board"),
    path("matters/new/", views.matter_create, name="matter_create"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/edit/", views.matter_edit, name="matter_edit"),
    path("matters/<int:pk>/register/", views.matter_register, name="matter_register"),
    path("matters/<int:pk>/assignment/", views.matter_assignment, name="matter_assignment"),
    path("matters/<int:pk>/outcome/", views.matter_outcome, name="matter_outcome"),
    path("matters/<int:pk>/advance/", views.matter_advance, name="matter_advance"),
    path("matters/<int:pk>/send-back/", views.matter_send_back, name="matter_send_back"),
    path("matters/<int:pk>/progress/", views.progress_create, name="progress_create"),
    path("matters/<int:pk>/meetings/new/", views.meeting_create, name="matter_meeting_create"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
