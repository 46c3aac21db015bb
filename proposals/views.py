from django.views.generic import TemplateView

from consultations.selectors import is_overdue, unit_matters
from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin


class UnitHomeView(RoleRequiredMixin, TemplateView):
    """A handling unit's landing page: the consultation matters assigned to the unit (lead or
    assisting), open ones first, each linking to its matter page. Proposals join this list
    when the proposals issue lands."""

    roles = (Role.UNIT,)
    template_name = "proposals/unit_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["unit"] = user.handling_unit
        assigned = list(unit_matters(user.handling_unit_id)) if user.handling_unit_id else []
        for matter in assigned:
            matter.overdue = is_overdue(matter)
        context["assigned"] = assigned
        return context
