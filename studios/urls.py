from django.urls import path

from . import views

app_name = "studios"
urlpatterns = [
    path("", views.studio_list, name="list"),
    path("new/", views.studio_create, name="create"),
    path("assign/", views.assign, name="assign"),
    path("<int:pk>/", views.studio_detail, name="detail"),
    path("<int:pk>/edit/", views.studio_edit, name="edit"),
    path("<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("<int:pk>/problems/new/", views.problem_create, name="problem_create"),
    path("<int:pk>/duty/", views.duty, name="duty"),
    path("<int:pk>/honorary/new/", views.head_create, name="head_create"),
    path("<int:pk>/honorary/<int:head_pk>/", views.head_edit, name="head_edit"),
    path("<int:pk>/party-group/", views.party_group, name="party_group"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/take/", views.problem_take, name="problem_take"),
    path("problems/<int:pk>/solve/", views.problem_solve, name="problem_solve"),
    path("problems/<int:pk>/reopen/", views.problem_reopen, name="problem_reopen"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("towns/", views.town_list, name="towns"),
    path("towns/new/", views.town_create, name="town_create"),
    path("towns/<int:pk>/edit/", views.town_edit, name="town_edit"),
    path("towns/<int:pk>/villages/new/", views.village_create, name="village_create"),
    path("towns/<int:pk>/officer/", views.town_officer, name="town_officer"),
    path("contacts/", views.contact_list, name="contacts"),
]
