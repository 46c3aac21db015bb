from django.views.generic import TemplateView

from cppcc.navigation import registry, todos_for
from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin


class UnitHomeView(RoleRequiredMixin, TemplateView):
    """A handling unit's landing page: what was assigned to the unit. Each app that assigns
    work to units contributes a block (cppcc.navigation.register_unit_section): consultations
    lists its matters; proposals will list theirs."""

    roles = (Role.UNIT,)
    template_name = "proposals/unit_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.request.user.handling_unit
        sections = []
        if unit is not None:
            for section in registry.unit_home:
                block = section.context(self.request, unit)
                if block is not None:
                    sections.append({"template": section.template, "context": block})
        context["unit"] = unit
        context["todos"] = todos_for(self.request, self.roles)
        context["sections"] = sections
        return context
