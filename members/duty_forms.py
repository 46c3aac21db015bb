"""The points-rule form of the rules page (履职量化考核办法)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput
from .models import PointsRule

POINTS_LIMIT = Decimal(100)


class PointsRuleForm(forms.ModelForm):
    """A version of a kind's rule. Past effective dates are allowed: records are often entered
    after the fact, and the ledger is repriced from the earliest date touched."""

    class Meta:
        model = PointsRule
        fields = ["kind", "points", "yearly_cap", "effective_from", "note"]
        widgets = {"effective_from": DateInput()}

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points is not None and not -POINTS_LIMIT <= points <= POINTS_LIMIT:
            raise forms.ValidationError(_("每次积分须在 -100 到 100 之间。"))
        return points

    def clean_yearly_cap(self):
        cap = self.cleaned_data["yearly_cap"]
        if cap is not None and cap < 0:
            raise forms.ValidationError(_("年度上限不能为负数；不设上限请留空。"))
        return cap

    def clean(self):
        data = super().clean()
        kind, day = data.get("kind"), data.get("effective_from")
        if kind and day:
            clash = PointsRule.objects.filter(kind=kind, effective_from=day)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "effective_from",
                    _("该履职类型在这一天已有规则，请修改那条规则或换一个生效日期。"),
                )
        return data

    def validate_unique(self):
        # clean() says it in Chinese, on the date field; the model's generic message would repeat.
        pass
