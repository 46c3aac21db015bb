"""The points-rules page (履职量化考核办法), for office staff and the administrator."""

from itertools import groupby

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc.roles import can_edit_county
from cppcc.views import allowed_if

from . import duty
from .duty_forms import PointsRuleForm
from .models import KIND_CATEGORY, DutyCategory, DutyKind, PointsRule

rules_manager_required = allowed_if(can_edit_county)
SAVED = gettext_lazy("规则已保存，履职积分正在重新计算。")


def _categories(today):
    """[(category label, [(kind, kind label, rule in force, versions newest first)])], in the
    order of DutyCategory and DutyKind (two queries: the rules, once each way)."""
    in_force = duty.rules_in_force(today)
    history = PointsRule.objects.select_related("created_by").order_by("kind", "-effective_from")
    versions = {kind: list(rows) for kind, rows in groupby(history, key=lambda r: r.kind)}
    rows = [
        (kind, label, in_force[kind], versions.get(kind, [])) for kind, label in DutyKind.choices
    ]
    return [
        (category_label, [r for r in rows if KIND_CATEGORY[r[0]] == category])
        for category, category_label in DutyCategory.choices
    ]


@rules_manager_required
def rule_list(request):
    today = timezone.localdate()
    form = PointsRuleForm(request.POST or None, initial={"effective_from": today})
    if request.method == "POST" and form.is_valid():
        duty.save_points_rule(form.save(commit=False), by=request.user)
        messages.success(request, SAVED)
        return redirect("members:duty_rules")
    return render(
        request,
        "members/duty_rules.html",
        {"categories": _categories(today), "form": form, "today": today},
    )


@rules_manager_required
def rule_edit(request, pk: int):
    rule = get_object_or_404(PointsRule, pk=pk)
    old_from = rule.effective_from
    form = PointsRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        duty.save_points_rule(form.save(commit=False), by=request.user, old_from=old_from)
        messages.success(request, SAVED)
        return redirect("members:duty_rules")
    return render(request, "members/duty_rule_form.html", {"form": form, "rule": rule})


@rules_manager_required
def rule_delete(request, pk: int):
    rule = get_object_or_404(PointsRule, pk=pk)
    if request.method == "POST":
        duty.delete_points_rule(rule, by=request.user)
        messages.success(request, _("规则已删除，履职积分正在重新计算。"))
        return redirect("members:duty_rules")
    return render(request, "members/duty_rule_delete.html", {"rule": rule})
