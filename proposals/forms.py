"""Forms of the office's proposal pages. They only shape and type the input; the rules live in
proposals.workflow and proposals.services, whose Chinese errors the views put back on the form
or the page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cppcc.validators import LimitsMixin
from cppcc.widgets import SearchSelect, SearchSelectMultiple

from .models import ConvertedTo, HandlingUnit, NotRegisteredReason
from .workflow import default_due_on

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 2})


def _units():
    return HandlingUnit.objects.filter(is_active=True).order_by("name")


class MoveForm(LimitsMixin, forms.Form):
    """A move of the proposal page; `title` is its card heading and button label, `confirm`
    (if any) the question app.js asks before it is sent."""

    title = ""
    confirm = ""

    note = forms.CharField(label=_("备注"), required=False, widget=NOTE, max_length=500)


class RegisterForm(MoveForm):
    title = _("立案")


class RejectForm(MoveForm):
    title = _("不予立案")
    confirm = _("确定对该提案作不予立案处理吗？提案人将收到通知。")

    reason = forms.ChoiceField(
        label=_("不予立案理由"), choices=[("", "---------"), *NotRegisteredReason.choices]
    )
    converted_to = forms.ChoiceField(
        label=_("转办方式"), choices=ConvertedTo.choices, required=False
    )


class MergeForm(MoveForm):
    """The target is picked from a search on the proposal page (by number or title): a select
    of every registered proposal would grow with the county."""

    title = _("并案")
    confirm = _("确定将该提案并入所选提案吗？并案后随目标提案办理。")

    into = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(MoveForm):
    title = _("交办")

    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("已有主办单位时（如追加协办单位）留空。"),
        # Searches of the active units (what _units() accepts): the county's list grows.
        widget=SearchSelect(
            "units",
            params={"active": "1"},
            placeholder=_("输入单位名称搜索"),
            empty_label=_("不更换主办单位"),
        ),
    )
    assisting_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=SearchSelectMultiple(
            "units", params={"active": "1"}, placeholder=_("输入单位名称搜索")
        ),
    )
    due_on = forms.DateField(label=_("答复期限"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _units()
        self.fields["assisting_units"].queryset = _units()
        self.fields["due_on"].initial = default_due_on()


class AssignmentMoveForm(MoveForm):
    """A move of one unit's part (grant or refuse its give-back): names the assignment."""

    assignment = forms.IntegerField(widget=forms.HiddenInput)


class GiveBackGrantForm(AssignmentMoveForm):
    title = _("同意退回")
    confirm = _("确定同意该单位退回提案吗？同意后该单位不再承办。")


class GiveBackRefuseForm(AssignmentMoveForm):
    title = _("不同意退回")

    reason = forms.CharField(label=_("不同意退回的理由"), widget=NOTE, max_length=500)


class ReplyMoveForm(MoveForm):
    """A review of one reply (release or return): names the reply."""

    reply = forms.IntegerField(widget=forms.HiddenInput)


class ReleaseForm(ReplyMoveForm):
    title = _("发布答复")
    confirm = _("确定发布该答复吗？发布后提案人即可查看并评价。")


class ReturnForm(ReplyMoveForm):
    title = _("退回答复")

    reason = forms.CharField(label=_("退回理由"), widget=NOTE, max_length=500)


class CloseForm(MoveForm):
    title = _("办结")
    confirm = _("确定办结该提案吗？")


class KeyForm(LimitsMixin, forms.Form):
    title = _("重点提案")
    confirm = ""

    is_key = forms.BooleanField(label=_("列为重点提案"), required=False)
    supervising_leader = forms.CharField(label=_("督办领导"), required=False, max_length=60)


class SupervisionForm(LimitsMixin, forms.Form):
    title = _("记录督办会")
    confirm = ""

    held_on = forms.DateField(label=_("督办日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    leader = forms.CharField(
        label=_("督办领导"), required=False, max_length=60, help_text=_("不填则为该提案的督办领导")
    )
    units = forms.ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("督办情况"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the proposal's own units are offered (and accepted).
        if proposal is not None:
            self.fields["units"].queryset = HandlingUnit.objects.filter(
                proposal_assignments__proposal=proposal
            ).distinct()


class ExcellentForm(LimitsMixin, forms.Form):
    title = _("优秀提案")
    confirm = ""

    is_excellent = forms.BooleanField(label=_("评为优秀提案"), required=False)


class BulkForm(LimitsMixin, forms.Form):
    """The list's bulk actions: register every ticked proposal, or assign them all to the same
    units with the same due date."""

    REGISTER, ASSIGN = "register", "assign"

    action = forms.ChoiceField(
        label=_("批量操作"), choices=[(REGISTER, _("批量立案")), (ASSIGN, _("批量交办"))]
    )
    ids = forms.TypedMultipleChoiceField(label=_("提案"), coerce=int, choices=())
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=SearchSelect("units", params={"active": "1"}, placeholder=_("输入单位名称搜索")),
    )
    assisting_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=SearchSelectMultiple(
            "units", params={"active": "1"}, placeholder=_("输入单位名称搜索")
        ),
    )
    due_on = forms.DateField(label=_("答复期限"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _units()
        self.fields["assisting_units"].queryset = _units()
        self.fields["due_on"].initial = default_due_on()
        self.fields["ids"].error_messages["required"] = _("请先勾选提案。")
        # Any id may be posted; the view keeps only the proposals the person sees.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not data.get("lead_unit"):
            self.add_error("lead_unit", _("批量交办须选择主办单位。"))
        return data
