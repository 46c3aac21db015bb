from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("office/", views.OfficeHomeView.as_view(), name="office_home"),
    path("town/", views.TownHomeView.as_view(), name="town_home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
]
