"""Forms of the consultation pages. They only shape and type the input; the rules live in
consultations.services and consultations.workflow, whose Chinese errors the views put back on
the form (cppcc.views.form_flow)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.scoping import CHOICE_ERRORS, narrowed
from cppcc.validators import LimitsMixin
from cppcc.versioning import VersionFormMixin
from cppcc.widgets import SearchSelect, SearchSelectMultiple
from members.models import Member, MemberStatus
from proposals.models import HandlingUnit, Proposal
from studios.forms import DATE, MemberMultipleChoiceField, MultipleFileField
from studios.models import Attendance, Town

from .models import (
    COMPLETED_STATE,
    STEP_MEETING_KINDS,
    STEPS,
    MatterStatus,
    MeetingKind,
    step_index,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this_year + 1, this_year - 5, -1)]


class MemberPickField(MemberMultipleChoiceField):
    """Members picked by search (cppcc.widgets): the county's members grow with it, so the form
    renders only the chosen ones and asks /search/members/ for the rest. The queryset, narrowed
    to the person's scope, still decides what is accepted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            SearchSelectMultiple(
                "members", params={"active": "1"}, placeholder=_("输入姓名、拼音、首字母或手机尾号")
            ),
        )
        super().__init__(*args, **kwargs)


def _unit_search(**kwargs) -> SearchSelect:
    # Active units only, as the fields accept; those already chosen stay shown as ticked.
    return SearchSelect(
        "units", params={"active": "1"}, placeholder=_("输入单位名称搜索"), **kwargs
    )


def _units_search() -> SearchSelectMultiple:
    return SearchSelectMultiple("units", params={"active": "1"}, placeholder=_("输入单位名称搜索"))


def _town_search() -> SearchSelect:
    return SearchSelect("towns", placeholder=_("输入镇街名称搜索"))


class TownSearchForm(forms.Form):
    """A town picked by search among those the person sees, not from a select of all of them:
    the board's filter and the town step of a new 例会 or 小微协商."""

    town = forms.ModelChoiceField(
        label=_("镇街"),
        queryset=Town.objects.none(),
        required=False,
        widget=SearchSelect("towns", placeholder=_("全部镇街"), empty_label=_("全部镇街")),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.visible_to(user)
        self.fields["town"].widget.attrs.update(
            {"class": "form-control form-control-sm w-auto", "aria-label": _("镇街")}
        )


class MatterForm(VersionFormMixin, LimitsMixin, forms.Form):
    town = forms.ModelChoiceField(
        label=_("镇街"), queryset=Town.objects.none(), widget=_town_search()
    )
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    title = forms.CharField(label=_("议题名称"), max_length=100)
    background = forms.CharField(label=_("议题背景"), widget=TEXTAREA, required=False)
    proposers = MemberPickField(
        label=_("提出委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("立案前须至少有一名提出委员；输入姓名、拼音或首字母搜索后点选。"),
    )
    # A search, not a select: the term's proposals number in the thousands.
    proposal = forms.ModelChoiceField(
        label=_("来源提案"),
        queryset=Proposal.objects.none(),
        required=False,
        error_messages=CHOICE_ERRORS,
        widget=SearchSelect(
            "proposals", placeholder=_("输入案由或案号搜索"), empty_label=_("不关联提案")
        ),
    )
    is_annual_topic = forms.BooleanField(
        label=_("本镇街年度“一镇一事”议题"),
        required=False,
        help_text=_("每个镇街每年只能有一个。"),
    )
    proposed_on = forms.DateField(
        label=_("提出日期"),
        widget=DATE,
        required=False,
        help_text=_("补录往年议题时填写实际提出日期；立案日期不能早于它。"),
    )

    def __init__(self, *args, towns, matter=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["year"].choices = _year_choices()
        self.fields["year"].initial = timezone.localdate().year
        members = Q(status=MemberStatus.ACTIVE)
        if matter is not None:
            # The current proposers stay listed (and ticked) after they leave office.
            members |= Q(pk__in=matter.proposers.values("pk"))
            self.fields["year"].choices = sorted(
                {*self.fields["year"].choices, (matter.year, f"{matter.year}年")}, reverse=True
            )
            # The town and year stay: the history and the registration number belong to them.
            self.fields["town"].disabled = True
            self.fields["year"].disabled = True
            # The day it was proposed is the start of its step history, set when it is entered.
            self.fields.pop("proposed_on")
        self.fields["proposers"].queryset = Member.objects.filter(members).order_by(
            "name_pinyin", "pk"
        )
        self.fields["proposal"].queryset = Proposal.objects.order_by("-year", "number")
        if user is not None:
            # Only who and what the person may see (a town clerk: their town's members).
            for name in ("proposers", "proposal"):
                self.fields[name].queryset = narrowed(self.fields[name].queryset, user)
        if matter is not None and matter.proposal_id:
            # The linked proposal stays accepted (and named, as the matter page names it) for a
            # town clerk, who sees no proposals: otherwise saving any edit would drop it.
            self.fields["proposal"].queryset |= Proposal.objects.filter(pk=matter.proposal_id)


class RegistrationForm(forms.Form):
    registered_on = forms.DateField(
        label=_("立案日期"), widget=DATE, required=False, initial=timezone.localdate
    )
    number = forms.CharField(
        label=_("立案编号"),
        max_length=40,
        required=False,
        help_text=_("不填则自动编号，如 2026-001。"),
    )
    note = forms.CharField(label=_("备注"), max_length=500, required=False, widget=TEXTAREA)


class AssignmentForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"), queryset=HandlingUnit.objects.none(), widget=_unit_search()
    )
    assisting_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=_units_search(),
    )
    task = forms.CharField(label=_("交办任务"), widget=TEXTAREA, required=False)
    deadline = forms.DateField(label=_("办理期限"), widget=DATE)
    assigned_on = forms.DateField(
        label=_("交办日期"), widget=DATE, required=False, help_text=_("不填则为今天。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = HandlingUnit.objects.filter(is_active=True).order_by("name")
        self.fields["lead_unit"].queryset = units
        self.fields["assisting_units"].queryset = units


class MoveDateField(forms.DateField):
    """The real day of a step move: today unless the clerk is entering past records."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("日期"),
            required=False,
            widget=forms.DateInput(
                attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
            ),
            help_text=_("补录往年议题时填写实际日期，不填为今天。"),
            **kwargs,
        )


class SolvedSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("未填写")),
            ("true", _("是，已解决")),
            ("false", _("否，未解决")),
        ]


class OutcomeForm(LimitsMixin, forms.Form):
    """Solved or not and the summary; the funds and residents benefiting are the totals of the
    matter's 民生实事 (LivelihoodProjectForm)."""

    solved = forms.NullBooleanField(
        label=_("是否解决"),
        required=False,
        widget=SolvedSelect,
    )
    result_summary = forms.CharField(label=_("办理成效"), widget=TEXTAREA, required=False)


class LivelihoodProjectForm(LimitsMixin, forms.Form):
    title = forms.CharField(label=_("实事名称"), max_length=100)
    recorded_on = forms.DateField(
        label=_("录入日期"),
        widget=DATE,
        initial=timezone.localdate,
        help_text=_("资金、受益人数按这一天计入年度统计；补录时填写实际日期。"),
    )
    funds_wan = forms.DecimalField(
        label=_("协调资金（万元）"), max_digits=10, decimal_places=2, initial=0
    )
    beneficiaries = forms.IntegerField(label=_("受益群众（人）"), min_value=0, initial=0)
    done = forms.BooleanField(label=_("已办成"), required=False)
    done_on = forms.DateField(
        label=_("办成日期"), widget=DATE, required=False, help_text=_("已办成时必填。")
    )


class SeenStateForm(forms.Form):
    """A move button's form. `step` and `status` are what the person saw: a matter moved by
    someone else meanwhile is then refused as a conflict (workflow.as_seen), not moved again."""

    step = forms.ChoiceField(choices=[(s, s) for s in STEPS], widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=MatterStatus.choices, widget=forms.HiddenInput)

    def seen_state(self) -> str:
        completed = self.cleaned_data["status"] == MatterStatus.COMPLETED
        return COMPLETED_STATE if completed else self.cleaned_data["step"]


class AdvanceForm(SeenStateForm):
    """The matter page's "next step" button, with the day of the move (workflow.move_date)."""

    on = MoveDateField()

    note = forms.CharField(
        label=_("说明（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


class SendBackForm(SeenStateForm):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        error_messages={"required": _("请填写退回原因。")},
    )


class ProgressForm(LimitsMixin, forms.Form):
    body = forms.CharField(
        label=_("办理进展"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": _("请填写办理进展。")},
    )


# --- meetings --------------------------------------------------------------------------------


class MeetingForm(VersionFormMixin, LimitsMixin, forms.Form):
    town = forms.ModelChoiceField(
        label=_("镇街"), queryset=Town.objects.none(), widget=_town_search()
    )
    kind = forms.ChoiceField(label=_("协商类型"), choices=())
    date = forms.DateField(label=_("协商日期"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("协商地点"), max_length=100)
    topic = forms.CharField(label=_("协商主题"), max_length=100, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=_units_search(),
    )
    officials_count = forms.IntegerField(label=_("参加干部人数"), min_value=0, initial=0)
    residents_count = forms.IntegerField(label=_("参加群众人数"), min_value=0, initial=0)
    agreed = forms.CharField(label=_("协商意见"), widget=TEXTAREA, required=False)
    files = MultipleFileField(label=_("照片和附件"), help_text=_("可一次选择多个文件"))

    def __init__(self, *args, matter=None, towns=None, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Q(is_active=True)
        if meeting is not None:
            units |= Q(pk__in=meeting.units.values("pk"))
        self.fields["units"].queryset = HandlingUnit.objects.filter(units).order_by("name")
        kind = self.fields["kind"]
        if meeting is not None:
            # A meeting's kind, town and matter stay (services.update_meeting).
            kind.choices = [(meeting.kind, meeting.get_kind_display())]
            kind.disabled = True
            self.fields.pop("town")
        elif matter is not None:
            # Every step kind is accepted, so that a kind ahead of the matter is refused by the
            # services with their Chinese reason; only the kinds the matter has reached are
            # offered.
            kind.choices = [(k, MeetingKind(k).label) for k in STEP_MEETING_KINDS]
            reached = [
                (k, label)
                for k, label in kind.choices
                if matter.is_completed or step_index(k) <= step_index(matter.step)
            ]
            kind.widget.choices = reached
            self.fields.pop("town")
        else:
            kind.choices = [
                (MeetingKind.REGULAR, MeetingKind.REGULAR.label),
                (MeetingKind.MICRO, MeetingKind.MICRO.label),
            ]
            self.fields["town"].queryset = towns


class MeetingAttendanceForm(forms.Form):
    """The attendance sheet: one 出席 / 请假 / 缺席 radio row per member (the town studio's
    members by default), plus other members who came (recorded as present). A meeting still
    ahead is saved without attendance when `planned` is ticked."""

    planned = forms.BooleanField(
        label=_("会议尚未召开，暂不登记出勤"),
        required=False,
        help_text=_("协商日期在今天之后时请勾选；会后再编辑会议登记出勤。"),
    )
    others = MemberPickField(
        label=_("其他参会委员（出席）"), queryset=Member.objects.none(), required=False
    )

    def __init__(
        self, *args, members, initial_status: dict[int, str] | None = None, user=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        initial_status = initial_status or {}
        self.rows = []
        listed = set()
        for member in members:
            name = f"att_{member.pk}"
            self.fields[name] = forms.ChoiceField(
                label=member.name,
                choices=Attendance.choices,
                initial=initial_status.get(member.pk, Attendance.PRESENT),
                widget=forms.RadioSelect(attrs={"data-attendance": "1"}),
            )
            self.rows.append((member, name))
            listed.add(member.pk)
        others = Member.objects.active().exclude(pk__in=listed).order_by("name_pinyin", "pk")
        # Other members who came: only those the person may see (a town clerk: their town's).
        self.fields["others"].queryset = narrowed(others, user) if user is not None else others

    def bound_rows(self):
        return [(member, self[name]) for member, name in self.rows]

    def attendance(self) -> dict[int, str]:
        """member id → status, as services.record_meeting takes it."""
        if self.cleaned_data.get("planned"):
            return {}
        marks = {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("att_")
        }
        for member in self.cleaned_data.get("others") or ():
            marks.setdefault(member.pk, Attendance.PRESENT)
        return marks


class FollowUpTaskForm(LimitsMixin, forms.Form):
    """One row of the meeting form's task table (rendered as table cells, hence the classes)."""

    description = forms.CharField(label=_("后续任务"), max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=_unit_search(empty_label=_("不指定")),
    )
    owner = forms.CharField(label=_("责任人"), max_length=50, required=False)
    due_on = forms.DateField(label=_("完成时限"), widget=DATE, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            units
            if units is not None
            else HandlingUnit.objects.filter(is_active=True).order_by("name")
        )
        for field in self.fields.values():
            field.widget.attrs.update(
                {"class": "form-control form-control-sm", "aria-label": field.label}
            )

    def task(self) -> dict | None:
        """The row as services take it, or None for a row left empty."""
        data = getattr(self, "cleaned_data", None) or {}
        if not any(data.get(k) for k in ("description", "unit", "owner", "due_on")):
            return None
        return {k: data.get(k) for k in ("description", "unit", "owner", "due_on")}


FollowUpTaskFormSet = forms.formset_factory(FollowUpTaskForm, extra=3, max_num=3)


def task_rows(formset) -> list[dict]:
    return [row for row in (form.task() for form in formset.forms) if row is not None]
