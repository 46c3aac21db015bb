"""Forms of the studio pages. They only shape and type the input; the rules live in
studios.services and studios.workflow, whose errors the views put back on the form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.uploads import validate_upload
from cppcc.validators import LimitsMixin
from cppcc.versioning import VersionFormMixin
from cppcc.widgets import SearchSelect
from members.models import Member, PartyAffiliation

from .models import (
    SIX_HAS_FIELDS,
    Activity,
    ActivityKind,
    Attendance,
    ContactPair,
    ContactWay,
    HonoraryVillageHead,
    MembershipRole,
    Problem,
    Studio,
    StudioKind,
    Town,
    Village,
)
from .selectors import current_term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceModelForm(LimitsMixin, forms.ModelForm):
    """A ModelForm that types the input but leaves validation to studios.services, whose
    messages are the Chinese ones the office reads (the model's own constraint checks would
    answer with the constraint's name)."""

    def _post_clean(self):
        pass


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_party_display()}）"


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_party_display()}）"


class StudioForm(ServiceModelForm):
    class Meta:
        model = Studio
        fields = [
            "name",
            "kind",
            "town",
            "host_unit",
            "address",
            "level",
            "city_level_named_on",
            "founded_on",
            "leader",
            *SIX_HAS_FIELDS,
        ]
        widgets = {
            "city_level_named_on": DATE,
            "founded_on": DATE,
            "town": SearchSelect(
                "towns", placeholder=_("输入镇街名称搜索"), empty_label=_("不属于镇街")
            ),
        }

    def __init__(self, *args, user=None, clerk: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.visible_to(user) if user else Town.objects.all()
        # The leader is chosen among the studio's current members; a new studio has none yet.
        if self.instance.pk:
            self.fields["leader"].queryset = Member.objects.filter(
                studio_memberships__studio=self.instance, studio_memberships__end_on__isnull=True
            ).order_by("name_pinyin")
        else:
            self.fields.pop("leader")
        if clerk:
            # A town clerk keeps their studio's records; what kind of studio it is and where it
            # sits is the office's call.
            for name in ("name", "kind", "town", "level", "city_level_named_on"):
                self.fields[name].disabled = True


def _studio_search() -> SearchSelect:
    # A search, not a select: a studio per town plus the sector studios, growing with the county.
    return SearchSelect("studios", placeholder=_("输入工作室或镇街名称搜索"))


class AssignMembersForm(LimitsMixin, forms.Form):
    """The studio is searched; the members are ticked on the page's own filtered, paged list
    (studios.views.assign), so the form's checkboxes are rendered by the template, never one
    per member of the county."""

    studio = forms.ModelChoiceField(
        label=_("工作室"), queryset=Studio.objects.none(), widget=_studio_search()
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )
    term = forms.ModelChoiceField(label=_("届次"), queryset=None)
    # Read as a list of ticked ids; if rendered, only the ticked ones (as hidden inputs).
    members = MemberMultipleChoiceField(
        label=_("委员"), queryset=Member.objects.none(), widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, studios, members, **kwargs):
        super().__init__(*args, **kwargs)
        from members.models import Term

        self.fields["studio"].queryset = studios
        self.fields["studio"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["members"].queryset = members
        self.fields["term"].queryset = Term.objects.all()
        self.fields["term"].initial = current_term()
        self.fields["role"].help_text = _(
            "镇街委员工作室选“驻室委员”，界别/行业委员工作室选核心委员或联动委员。"
        )


class PlaceMemberForm(LimitsMixin, forms.Form):
    """One member into one studio, from the member's page. The studios offered are those the
    person may see, so a town clerk is offered (and may post) only their own town's."""

    studio = forms.ModelChoiceField(
        label=_("工作室"),
        queryset=Studio.objects.none(),
        widget=_studio_search(),
        error_messages={
            "required": _("请选择工作室。"),
            "invalid_choice": _("只能放入您所管理镇街的工作室，请重新选择。"),
        },
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )
    term = forms.ModelChoiceField(label=_("届次"), queryset=None)

    def __init__(self, *args, studios, **kwargs):
        super().__init__(*args, **kwargs)
        from members.models import Term

        self.fields["studio"].queryset = studios
        self.fields["term"].queryset = Term.objects.all()
        self.fields["term"].initial = current_term()
        self.fields["role"].help_text = _(
            "镇街委员工作室选“驻室委员”，界别/行业委员工作室选核心委员或联动委员。"
            "已在另一镇街工作室的委员将调整到所选工作室。"
        )


class PlaceMembersForm(PlaceMemberForm):
    """The member list's bulk placing: its ticked members (`ids`) into one studio."""

    ids = forms.ModelMultipleChoiceField(
        label=_("委员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请至少选择一名委员。")},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = members


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked against the upload allowlist (the meeting and
    proposal forms use this field too)."""

    default_validators = [validate_upload]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ActivityForm(VersionFormMixin, ServiceModelForm):
    files = MultipleFileField(label=_("照片和附件"), help_text=_("可一次选择多个文件"))

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "date",
            "place",
            "other_participants",
            "residents_reached",
            "sales_wan",
            "summary",
        ]
        widgets = {"date": DATE, "summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"sales_wan": _("仅直播带货活动填写")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["date"].initial = timezone.localdate()


class AttendanceForm(LimitsMixin, forms.Form):
    """One select per studio member (出席 / 请假 / 缺席, default 出席), so an activity of thirty
    members is entered in one screen. Fields are named att_<member id>."""

    def __init__(self, *args, memberships, initial_status: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_status = initial_status or {}
        self.rows = []
        for membership in memberships:
            member = membership.member
            name = f"att_{member.pk}"
            self.fields[name] = forms.ChoiceField(
                label=member.name,
                choices=Attendance.choices,
                initial=initial_status.get(member.pk, Attendance.PRESENT),
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "data-attendance": "1"}
                ),
            )
            self.rows.append((membership, name))

    def bound_rows(self):
        return [(membership, self[name]) for membership, name in self.rows]

    def attendance(self) -> dict[int, str]:
        return {
            int(name[4:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("att_")
        }


class ProblemForm(ServiceModelForm):
    followers = MemberMultipleChoiceField(
        label=_("跟进委员"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Problem
        fields = ["title", "description", "raised_by", "raised_on", "village"]
        widgets = {"raised_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(town_id=studio.town_id)
        self.fields["followers"].queryset = Member.objects.filter(
            studio_memberships__studio=studio, studio_memberships__end_on__isnull=True
        ).order_by("name_pinyin")
        self.fields["raised_on"].initial = timezone.localdate()
        if self.instance.pk:
            self.fields["followers"].initial = list(
                self.instance.followers.values_list("pk", flat=True)
            )


class SolveForm(LimitsMixin, forms.Form):
    solved_on = forms.DateField(label=_("解决日期"), widget=DATE, initial=timezone.localdate)
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(LimitsMixin, forms.Form):
    reason = forms.CharField(label=_("重新办理原因"), widget=forms.Textarea(attrs={"rows": 2}))


class DutyForm(LimitsMixin, forms.Form):
    member = MemberChoiceField(label=_("值日委员"), queryset=Member.objects.none())
    date = forms.DateField(label=_("值日日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(
            studio_memberships__studio=studio, studio_memberships__end_on__isnull=True
        ).order_by("name_pinyin")


class HonoraryHeadForm(ServiceModelForm):
    class Meta:
        model = HonoraryVillageHead
        fields = [
            "member",
            "village",
            "start_on",
            "end_on",
            "acres_developed",
            "enterprises_fostered",
            "funds_secured_wan",
            "livestreams",
            "income_raised_wan",
            "notes",
        ]
        widgets = {"start_on": DATE, "end_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(
            studio_memberships__studio=studio, studio_memberships__end_on__isnull=True
        ).order_by("name_pinyin")
        villages = Village.objects.select_related("town")
        if studio.town_id:
            self.fields["village"].queryset = villages.filter(town_id=studio.town_id)
        else:
            # A sector studio may pick any village of the county: a search, not a select of
            # every village.
            self.fields["village"].queryset = villages
            self.fields["village"].widget = SearchSelect(
                "villages", placeholder=_("输入村（社区）或镇街名称搜索")
            )
        for name in ("acres_developed", "funds_secured_wan", "income_raised_wan"):
            self.fields[name].widget.attrs["min"] = 0


class PartyGroupForm(LimitsMixin, forms.Form):
    leader = MemberChoiceField(label=_("党小组组长"), queryset=Member.objects.none())
    name = forms.CharField(label=_("党小组名称"), max_length=60, required=False)
    founded_on = forms.DateField(label=_("成立日期"), widget=DATE, required=False)

    def __init__(self, *args, studio, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = Member.objects.filter(
            party=PartyAffiliation.CPC,
            studio_memberships__studio=studio,
            studio_memberships__end_on__isnull=True,
        ).order_by("name_pinyin")
        if studio.kind == StudioKind.TOWN:
            self.fields["leader"].help_text = _("须为本镇街统战委员，且是本工作室的中共党员委员。")
        if not creating:
            self.fields.pop("name")
            self.fields.pop("founded_on")


class OfficerForm(LimitsMixin, forms.Form):
    member = MemberChoiceField(label=_("统战委员"), queryset=Member.objects.none(), required=False)

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(
            studio_memberships__studio__town=town,
            studio_memberships__studio__kind=StudioKind.TOWN,
            studio_memberships__end_on__isnull=True,
        ).order_by("name_pinyin")
        self.fields["member"].help_text = _(
            "须为本镇街委员工作室成员；如已成立党小组，组长随之变更。"
        )


class TownForm(ServiceModelForm):
    class Meta:
        model = Town
        fields = ["name", "kind", "office_name", "office_address", "order"]


class VillageForm(ServiceModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind", "has_consultation_room"]


def _member_search(party: str) -> SearchSelect:
    # Searched among the serving members of that side: the county's members grow with it.
    return SearchSelect(
        "members",
        params={"active": "1", "party": party},
        placeholder=_("输入姓名、拼音、首字母或手机尾号"),
    )


class ContactPairForm(LimitsMixin, forms.Form):
    party_member = MemberChoiceField(
        label=_("党员委员"), queryset=Member.objects.none(), widget=_member_search("cpc")
    )
    non_party_member = MemberChoiceField(
        label=_("党外委员"), queryset=Member.objects.none(), widget=_member_search("other")
    )
    since = forms.DateField(label=_("建立联系日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        active = members.active().order_by("name_pinyin")
        self.fields["party_member"].queryset = active.filter(party=PartyAffiliation.CPC)
        self.fields["non_party_member"].queryset = active.exclude(party=PartyAffiliation.CPC)


class ContactRecordForm(LimitsMixin, forms.Form):
    # The county's pairs grow with its members: searched by either member's name.
    pair = forms.ModelChoiceField(
        label=_("联系对子"),
        queryset=ContactPair.objects.none(),
        widget=SearchSelect("contact_pairs", placeholder=_("输入党员委员或党外委员姓名搜索")),
    )
    date = forms.DateField(label=_("联系日期"), widget=DATE, initial=timezone.localdate)
    way = forms.ChoiceField(label=_("联系方式"), choices=ContactWay.choices)
    content = forms.CharField(label=_("交流内容"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = pairs


ACTIVITY_KIND_CHOICES = [("", _("全部类型")), *ActivityKind.choices]
