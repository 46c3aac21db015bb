from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("unit/", views.UnitHomeView.as_view(), name="unit_home"),
]
