from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.uploads import validate_image_upload
from cppcc.versioning import VersionFormMixin
from cppcc.widgets import SearchSelect

from . import services
from .filters import studio_queryset
from .masking import sensitive_values
from .models import (
    AttendanceStatus,
    CommitteeSession,
    Member,
    MemberChangeRequest,
    MemberStatus,
    Term,
)
from .validators import normalize_id_number, normalize_mobile, validate_mobile


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberForm(VersionFormMixin, forms.ModelForm):
    """Office create/edit form. Saving goes through members.services.save_member (views)."""

    terms = forms.ModelMultipleChoiceField(
        label=_("任职届次"),
        queryset=Term.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Member
        # The fields services.save_member accepts, plus the terms served.
        fields = [*services.MEMBER_FIELDS, "terms"]
        widgets = {"birth_date": DateInput(), "wishes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("请填写姓名。")},
            "id_number": {"required": _("请填写身份证号。")},
            "gender": {"required": _("请选择性别。")},
            "sector": {"required": _("请选择界别。")},
            "party": {"required": _("请选择政治面貌。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A photo is checked by its content, not its name (an SVG or HTML page is refused).
        self.fields["photo"].validators.append(validate_image_upload)
        self.fields["sector"].queryset = self.fields["sector"].queryset.filter(is_active=True)
        self.fields["special_committee"].queryset = self.fields[
            "special_committee"
        ].queryset.filter(is_active=True)
        # Required here as in the import template: the register matches a person by this
        # number (import updates, the active-ID rule). On edit a blank input keeps the stored
        # number, so it is required only when none is stored.
        self.fields["id_number"].required = not self.instance.id_number
        if not self.instance.pk:
            term = services.current_term()
            if term:
                self.initial.setdefault("terms", [term.pk])
        else:
            # Opening the edit form must not reveal what the detail page masks: sensitive
            # inputs start empty and an empty input keeps the stored value.
            masked = sensitive_values(self.instance, reveal=False)
            for name in services.SENSITIVE_FIELDS:
                self.initial[name] = ""
                if masked[name]:
                    self.fields[name].help_text = _(
                        "当前：%(v)s。出于隐私保护不显示原值，不修改请留空。"
                    ) % {"v": masked[name]}

    # The page's fieldsets (templates/members/form.html): two columns on desktop, one on a
    # phone; the fields named in WIDE take a whole row.
    SECTIONS = (
        (_("基本信息"), ("name", "gender", "ethnicity", "birth_date", "id_number", "mobile")),
        (_("工作单位"), ("employer", "job_title", "expertise", "photo")),
        (
            _("政协任职"),
            ("sector", "party", "special_committee", "post", "level", "terms", "wishes"),
        ),
    )
    WIDE = ("terms", "wishes")

    def sections(self) -> list[tuple[str, list]]:
        """[(title, [(bound field, wide)])] in SECTIONS order; a field missing from SECTIONS
        is shown in a last section rather than dropped."""
        listed = {name for _title, names in self.SECTIONS for name in names}
        result = [
            (title, [(self[n], n in self.WIDE) for n in names if n in self.fields])
            for title, names in self.SECTIONS
        ]
        rest = [
            (self[n], n in self.WIDE)
            for n in self.fields
            if n not in listed and not self[n].is_hidden
        ]
        if rest:
            result.append((_("其他"), rest))
        return result

    def _keep_if_blank(self, name, value):
        if not value and self.instance.pk:
            return getattr(self.instance, name)
        return value

    def clean_id_number(self):
        return self._keep_if_blank(
            "id_number", normalize_id_number(self.cleaned_data.get("id_number", ""))
        )

    def clean_mobile(self):
        return self._keep_if_blank("mobile", normalize_mobile(self.cleaned_data.get("mobile", "")))

    def clean_birth_date(self):
        return self._keep_if_blank("birth_date", self.cleaned_data.get("birth_date"))

    def clean(self):
        cleaned = super().clean()
        id_number = cleaned.get("id_number")
        birth = cleaned.get("birth_date")
        if (
            id_number
            and len(id_number) == 18
            and birth
            and birth.strftime("%Y%m%d") != id_number[6:14]
        ):
            self.add_error("birth_date", _("出生日期与身份证号中的出生日期不一致。"))
        if id_number and self.instance.status == MemberStatus.ACTIVE:
            try:
                services.check_id_number_free(id_number, self.instance.pk)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def validate_constraints(self):
        # The active-ID rule is checked in clean() with a field-level message.
        return None


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DateInput(), initial=timezone.localdate)
    left_reason = forms.CharField(label=_("退出原因"), max_length=200)


class BulkForm(forms.Form):
    """The list page's bulk actions: change status, or assign to a studio."""

    ACTIONS = [
        ("leave", _("办理退出")),
        ("return", _("恢复在任")),
        ("assign", _("分配到工作室")),
    ]
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    ids = forms.ModelMultipleChoiceField(
        label=_("委员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请至少选择一名委员。")},
    )
    left_on = forms.DateField(label=_("退出日期"), required=False, widget=DateInput())
    left_reason = forms.CharField(label=_("退出原因"), max_length=200, required=False)
    studio = forms.ModelChoiceField(
        label=_("工作室"),
        queryset=None,
        required=False,
        widget=SearchSelect("studios", placeholder=_("输入工作室名称搜索")),
    )
    role = forms.ChoiceField(label=_("角色"), required=False)
    term = forms.ModelChoiceField(label=_("届次"), queryset=Term.objects.all(), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = members if members is not None else Member.objects.none()
        self.fields["studio"].queryset = studio_queryset(None)
        membership = Member._meta.get_field("studio_memberships").related_model
        self.fields["role"].choices = membership._meta.get_field("role").choices
        term = services.current_term()
        if term:
            self.fields["term"].initial = term.pk
        for name, f in self.fields.items():
            if name != "ids":
                is_select = isinstance(f.widget, forms.Select)
                f.widget.attrs["class"] = (
                    "form-select form-select-sm" if is_select else "form-control form-control-sm"
                )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "leave":
            if not cleaned.get("left_on"):
                self.add_error("left_on", _("请填写退出日期。"))
            if not cleaned.get("left_reason"):
                self.add_error("left_reason", _("请填写退出原因。"))
        if action == "assign":
            if not cleaned.get("studio"):
                self.add_error("studio", _("请选择工作室。"))
            if not cleaned.get("term"):
                self.add_error("term", _("请选择届次。"))
            if not cleaned.get("role"):
                self.add_error("role", _("请选择角色。"))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要导入的文件。")},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        return f


class ChangeRequestForm(forms.Form):
    """The member's own corrections (MemberChangeRequest.EDITABLE_FIELDS only)."""

    mobile = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, validators=[validate_mobile]
    )
    employer = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    job_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    expertise = forms.CharField(label=_("专业特长"), max_length=200, required=False)
    wishes = forms.CharField(
        label=_("履职意愿"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        assert set(self.fields) == set(MemberChangeRequest.EDITABLE_FIELDS)
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["mobile"].help_text = _("出于隐私保护，当前号码不预填；不修改请留空。")

    def changes(self, member) -> dict:
        """Only what differs from the record; an empty mobile means "keep"."""
        data = dict(self.cleaned_data)
        if not data.get("mobile"):
            data.pop("mobile", None)
        else:
            data["mobile"] = normalize_mobile(data["mobile"])
        return {k: v for k, v in data.items() if (getattr(member, k) or "") != (v or "")}


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


# --- sessions (会议) ------------------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    """Create / edit a session. The date rules live in services.check_session, which the API
    and the demo also pass through; the form shows them on their fields."""

    class Meta:
        model = CommitteeSession
        fields = list(services.SESSION_FIELDS)
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "proposals_open_on": DateInput(),
            "proposals_close_on": DateInput(),
        }
        help_texts = {
            "proposals_open_on": _("仅全体会议填写"),
            "ordinal": _("本届同类会议的第几次"),
        }
        error_messages = {
            "term": {"required": _("请选择届次。")},
            "kind": {"required": _("请选择会议类型。")},
            "name": {"required": _("请填写会议名称。")},
            "ordinal": {"required": _("请填写次序。")},
            "starts_on": {"required": _("请填写开始日期。")},
            "ends_on": {"required": _("请填写结束日期。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            term = services.current_term()
            if term:
                self.fields["term"].initial = term.pk

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.check_session(self.instance_with(cleaned))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned

    def instance_with(self, cleaned: dict) -> CommitteeSession:
        session = CommitteeSession(pk=self.instance.pk)
        for name in self.Meta.fields:
            if name == "term":
                session.term_id = cleaned["term"].pk
            else:
                setattr(session, name, cleaned.get(name))
        return session

    def validate_constraints(self):
        # Checked in clean() by services.check_session with field-level messages.
        return None


class SessionAttendanceForm(forms.Form):
    """The session's attendance sheet: one 出席 / 请假 / 缺席 radio row per expected member
    (the same widget as a consultation meeting's sheet), with a reason box for 请假. Members
    with approved leave start on 请假 with their reason; everyone else on 出席."""

    def __init__(self, *args, members, recorded: dict, approved: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for member in members:
            status, reason = recorded.get(member.pk, (None, ""))
            if status is None:
                status = (
                    AttendanceStatus.LEAVE if member.pk in approved else AttendanceStatus.PRESENT
                )
                reason = approved.get(member.pk, "")
            name = f"att_{member.pk}"
            self.fields[name] = forms.ChoiceField(
                label=member.name,
                choices=AttendanceStatus.choices,
                initial=status,
                widget=forms.RadioSelect(attrs={"data-attendance": "1"}),
            )
            self.fields[f"why_{member.pk}"] = forms.CharField(
                label=_("请假事由"),
                max_length=200,
                required=False,
                initial=reason,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("请假事由")}
                ),
            )
            self.rows.append((member, name, member.pk in approved))

    def bound_rows(self):
        return [
            (member, self[name], self[f"why_{member.pk}"], approved)
            for member, name, approved in self.rows
        ]

    def marks(self) -> dict[int, str]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("att_")
        }

    def reasons(self) -> dict[int, str]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("why_") and value
        }


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("请假事由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写请假事由。")},
    )


class LeaveDecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
