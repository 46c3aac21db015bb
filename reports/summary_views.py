"""Pages of the yearly summary: the list with the start form, one summary (figures, narrative,
a progress bar polled with htmx while it compiles) and its files."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cppcc.files import serve_file
from cppcc.roles import can_edit_county, clerk_town_id, is_countywide
from cppcc.views import allowed_if
from studios.models import Studio, Town

from . import statistics, summary
from .models import SummaryScope, YearlySummary

FILE_KINDS = ("docx", "xlsx", "pdf")


def may_view(user) -> bool:
    return is_countywide(user) or clerk_town_id(user) is not None


def may_start(user) -> bool:
    return can_edit_county(user) or clerk_town_id(user) is not None


viewer_required = allowed_if(may_view)
starter_required = allowed_if(may_start)


class StartForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    scope = forms.ChoiceField(label=gettext_lazy("范围"), choices=SummaryScope.choices)
    town = forms.ModelChoiceField(
        label=gettext_lazy("镇街"), queryset=Town.objects.none(), required=False
    )
    studio = forms.ModelChoiceField(
        label=gettext_lazy("委员工作室"), queryset=Studio.objects.none(), required=False
    )
    include_towns = forms.BooleanField(label=gettext_lazy("同时编制各镇街"), required=False)
    include_studios = forms.BooleanField(label=gettext_lazy("同时编制各工作室"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].choices = [(y, f"{y}") for y in statistics.years_covered()]
        # Pickers offer only what the person may see (and start).
        self.fields["town"].queryset = Town.objects.visible_to(user).order_by("order", "pk")
        self.fields["studio"].queryset = Studio.objects.visible_to(user).order_by("name")
        if not can_edit_county(user):
            self.fields["scope"].choices = [
                c for c in SummaryScope.choices if c[0] != SummaryScope.COUNTY
            ]
            self.fields["scope"].initial = SummaryScope.TOWN
            del self.fields["include_towns"]

    def start(self) -> list[YearlySummary]:
        data = self.cleaned_data
        return summary.start(
            self.user,
            data["year"],
            data["scope"],
            town=data.get("town"),
            studio=data.get("studio"),
            include_towns=data.get("include_towns", False),
            include_studios=data.get("include_studios", False),
        )


@viewer_required
def summary_list(request):
    rows = YearlySummary.objects.visible_to(request.user).select_related("town", "studio")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    form = StartForm(user=request.user) if may_start(request.user) else None
    return render(request, "reports/summary/list.html", {"page_obj": page, "form": form})


@require_POST
@starter_required
def summary_start(request):
    form = StartForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            rows = form.start()
        except summary.SummaryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已开始编制%(n)d份成绩单。") % {"n": len(rows)})
            return redirect(rows[0])
    rows = YearlySummary.objects.visible_to(request.user).select_related("town", "studio")
    page = Paginator(rows, 30).get_page(1)
    return render(
        request, "reports/summary/list.html", {"page_obj": page, "form": form}, status=400
    )


def _visible(request, pk: int) -> YearlySummary:
    return get_object_or_404(
        YearlySummary.objects.visible_to(request.user).select_related("town", "studio"), pk=pk
    )


@viewer_required
def summary_detail(request, pk: int):
    row = _visible(request, pk)
    return render(request, "reports/summary/detail.html", {"summary": row})


@viewer_required
def summary_progress(request, pk: int):
    """The progress partial htmx polls every second; once the task has finished, it tells
    htmx to reload the page so the figures appear."""
    row = _visible(request, pk)
    response = render(request, "reports/summary/_progress.html", {"summary": row})
    if not row.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@viewer_required
def summary_file(request, pk: int, kind: str):
    if kind not in FILE_KINDS:
        raise Http404
    row = _visible(request, pk)
    return serve_file(request, getattr(row, kind), f"{summary.file_stem(row)}.{kind}")
