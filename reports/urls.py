from django.urls import path

from . import duty_views, summary_views, views

app_name = "reports"
urlpatterns = [
    path("office/", views.OfficeHomeView.as_view(), name="office_home"),
    path("town/", views.TownHomeView.as_view(), name="town_home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    # Duty record, ranking and 述职报告 (duty_views).
    path("duty/", duty_views.ranking, name="duty_ranking"),
    path("duty/export/", duty_views.ranking_export, name="duty_ranking_export"),
    path("duty/member/<int:pk>/", duty_views.member_record, name="duty_member"),
    path("duty/member/<int:pk>/report.<str:fmt>", duty_views.report_download, name="duty_report"),
    path("portal/duty/", duty_views.portal_duty, name="portal_duty"),
    # The yearly achievement summary (summary_views).
    path("summary/", summary_views.summary_list, name="summary_list"),
    path("summary/start/", summary_views.summary_start, name="summary_start"),
    path("summary/<int:pk>/", summary_views.summary_detail, name="summary_detail"),
    path("summary/<int:pk>/progress/", summary_views.summary_progress, name="summary_progress"),
    path("summary/<int:pk>/file.<str:kind>", summary_views.summary_file, name="summary_file"),
]
