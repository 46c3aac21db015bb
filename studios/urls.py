from django.urls import path

from . import views

app_name = "studios"
urlpatterns = [
    path("", views.studio_list, name="list"),
    path("<int:pk>/", views.studio_detail, name="detail"),
    path("activities/<int:pk>/", views.studio_detail, name="activity_detail"),
    path("problems/<int:pk>/", views.studio_detail, name="problem_detail"),
]
