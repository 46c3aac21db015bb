"""Forms of the member's proposal pages on /portal/: the draft, the rating of a reply.

The draft form only validates and saves the draft's own fields (a draft is not a state: it
is written freely until proposal_submit); its co-signers go through services.set_cosigners.
"""

import datetime

from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.validators import LimitsMixin
from cppcc.versioning import VersionFormMixin, claim_version
from members.models import CommitteeSession, Member, SessionKind, Term
from studios.forms import MultipleFileField

from . import services
from .models import (
    Communication,
    Proposal,
    ProposalCategory,
    ProposalFile,
    ProposalKind,
    ProposalStatus,
    Rating,
)

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "jpg", "jpeg", "png")
ATTACHMENT_MAX_MB = 20


def current_term() -> Term | None:
    return Term.objects.filter(is_current=True).first()


def open_sessions(user, today: datetime.date | None = None) -> QuerySet:
    """Plenary sessions of the current term the member may file to today (window open)."""
    today = today or timezone.localdate()
    return CommitteeSession.objects.visible_to(user).filter(
        kind=SessionKind.PLENARY,
        term__is_current=True,
        proposals_open_on__lte=today,
        proposals_close_on__gte=today,
    )


def cosigner_candidates(member: Member) -> QuerySet:
    """Who a member may invite to co-sign: the serving members of the current term but
    themself. Wider than Member.objects.visible_to (a member sees only their own record) on
    purpose: a co-signer must be found by name. Only name and sector are ever shown."""
    return (
        Member.objects.active()
        .filter(terms__is_current=True)
        .exclude(pk=member.pk)
        .select_related("sector")
        .distinct()
    )


class CosignerChoiceField(forms.ModelMultipleChoiceField):
    # Never rendered as a <select> of every member: the template shows only the chosen ones,
    # and the search box (portal_views.member_search) adds more.
    widget = forms.MultipleHiddenInput


class ProposalDraftForm(VersionFormMixin, LimitsMixin, forms.ModelForm):
    session = forms.ModelChoiceField(
        label=_("提交会议"),
        queryset=CommitteeSession.objects.none(),
        required=False,
        empty_label=_("闭会期间"),
        help_text=_("全体会议提案征集期间提交的，选择该次会议；其他时间为闭会期间提案。"),
    )
    kind = forms.ChoiceField(
        label=_("提案类型"),
        choices=[
            (ProposalKind.INDIVIDUAL, ProposalKind.INDIVIDUAL.label),
            (ProposalKind.JOINT, ProposalKind.JOINT.label),
        ],
        initial=ProposalKind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    cosigners = CosignerChoiceField(
        label=_("联名委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("联名提案请搜索委员姓名或拼音首字母添加；提交后由他们确认联名。"),
    )
    attachments = MultipleFileField(
        label=_("附件"),
        help_text=_("可一次选择多个文件，每个不超过 %(mb)d MB") % {"mb": ATTACHMENT_MAX_MB},
    )

    class Meta:
        model = Proposal
        fields = ["session", "category", "title", "reasons", "suggestions", "kind"]
        widgets = {
            "reasons": forms.Textarea(attrs={"rows": 6}),
            "suggestions": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"title": _("案由（标题）")}
        help_texts = {"title": _("如：关于加强农村公路养护的建议")}

    field_order = [
        "session",
        "category",
        "title",
        "reasons",
        "suggestions",
        "kind",
        "cosigners",
        "attachments",
        "agrees_to_publish",
    ]

    agrees_to_publish = forms.BooleanField(
        label=_("同意公开"),
        required=False,
        help_text=_("立案后其他委员可查阅本提案及答复。"),
    )

    def __init__(self, *args, user, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        sessions = open_sessions(user)
        if self.instance.pk and self.instance.session_id:
            # A draft keeps the session it was written for, even after its window closed (the
            # submit check then says why it cannot go in).
            sessions = CommitteeSession.objects.filter(
                Q(pk__in=sessions.values("pk")) | Q(pk=self.instance.session_id)
            )
        self.fields["session"].queryset = sessions
        if not self.instance.pk:
            self.fields["session"].initial = sessions.order_by("starts_on").first()
        self.fields["category"].choices = [("", _("请选择"))] + list(ProposalCategory.choices)
        self.fields["cosigners"].queryset = cosigner_candidates(member)
        self.fields["agrees_to_publish"].initial = self.instance.agrees_to_publish
        if self.instance.pk:
            self.fields["cosigners"].initial = [c.member_id for c in self.instance.cosigners.all()]

    def chosen_cosigners(self) -> list[Member]:
        """The co-signers to show as chosen: those posted (valid ones), else the draft's."""
        if self.is_bound:
            ids = [v for v in self.data.getlist(self.add_prefix("cosigners")) if v.isdigit()]
        else:
            ids = self.fields["cosigners"].initial or []
        if not ids:
            return []
        return list(self.fields["cosigners"].queryset.filter(pk__in=ids).order_by("name"))

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        for upload in files:
            ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if ext not in ATTACHMENT_EXTENSIONS:
                raise forms.ValidationError(
                    _("附件“%(name)s”的格式不支持，只能上传 %(types)s。")
                    % {"name": upload.name, "types": "、".join(ATTACHMENT_EXTENSIONS)}
                )
            if upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
                raise forms.ValidationError(
                    _("附件“%(name)s”超过 %(mb)d MB。")
                    % {"name": upload.name, "mb": ATTACHMENT_MAX_MB}
                )
        return files

    def clean(self):
        data = super().clean()
        if data.get("kind") != ProposalKind.JOINT and data.get("cosigners"):
            self.add_error(
                "cosigners", _("个人提案不能邀请联名委员；如需联名，请将提案类型改为联名提案。")
            )
        if current_term() is None and not data.get("session"):
            raise forms.ValidationError(_("尚未设置本届届次，暂不能填写提案，请联系政协机关。"))
        return data

    @transaction.atomic
    def save_draft(self, *, by) -> Proposal:
        """Writes the draft (new or edited), its co-signers and new attachments."""
        proposal: Proposal = self.save(commit=False)
        data = self.cleaned_data
        session = data.get("session")
        if proposal.pk is None:
            proposal.lead_proposer = self.member
            proposal.created_by = by
            proposal.status = ProposalStatus.DRAFT
        proposal.term = session.term if session else current_term()
        proposal.year = session.starts_on.year if session else timezone.localdate().year
        proposal.agrees_to_publish = data.get("agrees_to_publish", False)
        proposal._history_user = by
        if proposal.pk is not None:
            # The draft may be open on the phone and the computer at once.
            claim_version(proposal, self.based_on_version)
        proposal.save()
        services.set_cosigners(proposal, list(data.get("cosigners") or []), by=by)
        for upload in data.get("attachments") or []:
            attachment = ProposalFile(proposal=proposal, file=upload, original_name=upload.name)
            attachment._history_user = by
            attachment.save()
        return proposal


class RateForm(LimitsMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("满意度"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。")},
    )
    communication = forms.ChoiceField(
        label=_("承办单位与您的沟通"),
        choices=[("", _("请选择"))] + list(Communication.choices),
        error_messages={"required": _("请选择承办单位的沟通情况。")},
    )
    note = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("评为不满意时必填，承办单位将据此重新办理。"),
    )
