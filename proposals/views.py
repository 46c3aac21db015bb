from django.views.generic import TemplateView

from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin


class UnitHomeView(RoleRequiredMixin, TemplateView):
    """A handling unit's landing page. What is assigned to the unit (proposals, consultation
    matters) is listed here as those issues land; today it shows the unit and an empty inbox."""

    roles = (Role.UNIT,)
    template_name = "proposals/unit_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit"] = self.request.user.handling_unit
        context["assigned"] = []
        return context
