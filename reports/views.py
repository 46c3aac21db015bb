from django.views.generic import TemplateView

from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin


class OfficeHomeView(RoleRequiredMixin, TemplateView):
    roles = (Role.ADMIN, Role.OFFICE)
    template_name = "reports/office_home.html"


class TownHomeView(RoleRequiredMixin, TemplateView):
    roles = (Role.TOWN,)
    template_name = "reports/town_home.html"


class DashboardView(RoleRequiredMixin, TemplateView):
    roles = (Role.LEADER, Role.ADMIN, Role.OFFICE)
    template_name = "reports/dashboard.html"
