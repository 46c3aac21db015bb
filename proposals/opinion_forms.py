"""Forms and the list filter of the public-opinion report pages (社情民意).

Member, studio and town choices come from the person's own visible_to, so nobody is offered
(or may post) a record they cannot see. Each move form carries the state the page showed, so a
press on a page someone else has moved on since is refused as a conflict.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.filters import DateRangeForm, ListFilterSet, date_filters
from cppcc.validators import LimitsMixin
from members.models import Member
from studios.filters import town_filter
from studios.models import Studio

from .models import AdoptionLevel, OpinionReport, OpinionStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("日期不能晚于今天。"))
    return value


class OpinionReportForm(LimitsMixin, forms.Form):
    """The office records a report on an author's behalf (often after the fact)."""

    title = forms.CharField(label=_("标题"), max_length=200)
    situation = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 6}))
    suggestion = forms.CharField(label=_("建议"), widget=forms.Textarea(attrs={"rows": 5}))
    members = forms.ModelMultipleChoiceField(
        label=_("委员作者"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    officer_names = forms.CharField(
        label=_("信息员"),
        max_length=100,
        required=False,
        help_text=_("非委员的作者，多人用顿号分隔"),
    )
    studio = forms.ModelChoiceField(
        label=_("委员工作室"), queryset=Studio.objects.none(), required=False
    )
    sector_group = forms.CharField(label=_("界别 / 党派组别"), max_length=60, required=False)
    submitted_on = forms.DateField(label=_("提交日期"), widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Member.objects.visible_to(user).active()
        self.fields["studio"].queryset = Studio.objects.visible_to(user).order_by("name")
        self.fields["submitted_on"].initial = timezone.localdate()

    def clean_submitted_on(self):
        return _not_future(self.cleaned_data["submitted_on"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("members") and not (cleaned.get("officer_names") or "").strip():
            raise forms.ValidationError(_("请至少填写一位作者（委员或信息员）。"))
        return cleaned


class PortalOpinionForm(LimitsMixin, forms.Form):
    """A member's own report from the phone: they are its author; the studio is one of theirs."""

    title = forms.CharField(label=_("标题"), max_length=200)
    situation = forms.CharField(
        label=_("情况"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("群众反映的问题、涉及范围、现状"),
    )
    suggestion = forms.CharField(
        label=_("建议"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("具体、可操作的建议")
    )
    studio = forms.ModelChoiceField(
        label=_("所在工作室"), queryset=Studio.objects.none(), required=False
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["studio"].queryset = Studio.objects.filter(
            memberships__member=member, memberships__end_on__isnull=True
        ).distinct()


class StateForm(LimitsMixin, forms.Form):
    """The state the page showed when the button was pressed."""

    state = forms.ChoiceField(choices=OpinionStatus.choices, widget=forms.HiddenInput)


class EditForm(StateForm):
    title = _("编辑")

    edited_title = forms.CharField(label=_("编辑后标题"), max_length=200)
    edited_text = forms.CharField(label=_("编辑稿"), widget=forms.Textarea(attrs={"rows": 10}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ForwardForm(StateForm):
    title = _("报送")

    forwarded_to = forms.CharField(
        label=_("报送单位"), max_length=100, initial=_("市政协办公厅（信息处）")
    )
    forwarded_on = forms.DateField(label=_("报送日期"), widget=DATE_INPUT)

    def clean_forwarded_on(self):
        return _not_future(self.cleaned_data["forwarded_on"])


class AdoptForm(StateForm):
    title = _("登记采用")

    level = forms.ChoiceField(label=_("采用层级"), choices=AdoptionLevel.choices)
    adopted_on = forms.DateField(label=_("采用日期"), widget=DATE_INPUT)
    source = forms.CharField(
        label=_("采用载体"), max_length=100, help_text=_("如：市政协《社情民意》第12期")
    )

    def clean_adopted_on(self):
        return _not_future(self.cleaned_data["adopted_on"])


class RejectForm(StateForm):
    title = _("登记未采用")

    reason = forms.CharField(label=_("未采用原因"), max_length=200)


class InstructionForm(StateForm):
    title = _("登记领导批示")

    level = forms.ChoiceField(label=_("批示层级"), choices=AdoptionLevel.choices)
    leader = forms.CharField(label=_("批示领导"), max_length=60)
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}))
    instructed_on = forms.DateField(label=_("批示日期"), widget=DATE_INPUT)

    def clean_instructed_on(self):
        return _not_future(self.cleaned_data["instructed_on"])


class OpinionListFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("标题、作者、报送单位")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=OpinionStatus.choices, empty_label=_("全部状态")
    )
    level = django_filters.ChoiceFilter(
        label=_("采用层级"),
        choices=AdoptionLevel.choices,
        method="filter_level",
        empty_label=_("全部采用层级"),
    )
    town = town_filter("studio__town")
    studio = django_filters.ModelChoiceFilter(
        label=_("工作室"),
        queryset=lambda request: Studio.objects.visible_to(request.user).order_by("name"),
        empty_label=_("全部工作室"),
        error_messages={"invalid_choice": _("只能选择您可查看的工作室。")},
    )
    date_from, date_to = date_filters("submitted_on")

    class Meta:
        model = OpinionReport
        fields = []
        form = DateRangeForm

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        by_author = OpinionReport.members.through.objects.filter(
            member__name__icontains=value
        ).values("opinionreport_id")
        return qs.filter(
            Q(title__icontains=value)
            | Q(edited_title__icontains=value)
            | Q(officer_names__icontains=value)
            | Q(forwarded_to__icontains=value)
            | Q(pk__in=by_author)
        )

    def filter_level(self, qs, name, value):
        return qs.filter(adoptions__level=value) if value else qs
