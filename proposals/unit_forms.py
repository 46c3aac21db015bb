"""Forms of a handling unit's proposal pages: the reply, the bulk reply and the give-back
request. Each only validates; the views call proposals.workflow."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cppcc.uploads import validate_upload
from cppcc.validators import LimitsMixin

from .models import AnswerType, ProposalUnit

# Reply attachments: the office prints or forwards them, so documents and scans only.
REPLY_FILE_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "jpg", "jpeg", "png")
REPLY_FILE_MAX_MB = 20


class ReplyForm(LimitsMixin, forms.Form):
    answer_type = forms.ChoiceField(
        label=_("答复类型"),
        choices=AnswerType.choices,
        error_messages={"required": _("请选择答复类型。")},
    )
    text = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("请填写答复内容。")},
        help_text=_("已按模板填好案号、案由、提案人等，请修改后提交；提交后由政协机关审核发布。"),
    )
    file = forms.FileField(
        label=_("答复文件（可选）"),
        required=False,
        validators=[validate_upload],
        help_text=_("盖章的答复函扫描件或 Word 文件，不超过 %(mb)d MB") % {"mb": REPLY_FILE_MAX_MB},
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            name = upload.name.rsplit(".", 1)
            if len(name) != 2 or name[1].lower() not in REPLY_FILE_EXTENSIONS:
                raise forms.ValidationError(
                    _("答复文件只能是 %(types)s 格式。")
                    % {"types": "、".join(REPLY_FILE_EXTENSIONS)}
                )
            if upload.size > REPLY_FILE_MAX_MB * 1024 * 1024:
                raise forms.ValidationError(
                    _("答复文件不能超过 %(mb)d MB。") % {"mb": REPLY_FILE_MAX_MB}
                )
        return upload


class BulkReplyForm(LimitsMixin, forms.Form):
    """One answer for several of the unit's proposals; each still gets its own reply record."""

    assignments = forms.ModelMultipleChoiceField(
        label=_("提案"),
        queryset=ProposalUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一件提案。"),
            "invalid_choice": _("所选提案已不在本单位待答复之列，请刷新后重选。"),
            "invalid_pk_value": _("所选提案无效。"),
        },
    )
    answer_type = ReplyForm.base_fields["answer_type"]
    text = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("请填写答复内容。")},
        help_text=_(
            "{案号}{案由}{提案人}{承办单位}{日期} 等占位符会按每件提案分别填写，每件提案各存一份答复。"
        ),
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignments"].queryset = assignments
        self.fields["assignments"].label_from_instance = lambda a: (
            f"{a.proposal.display_number or '—'} {a.proposal.title}"
        )


class GiveBackForm(LimitsMixin, forms.Form):
    reason = forms.CharField(
        label=_("申请退回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("请填写申请退回的理由。")},
        help_text=_("说明该提案为何不属于本单位职责，建议交办给哪个单位。"),
    )
