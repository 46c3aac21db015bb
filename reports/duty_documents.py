"""述职报告: a member's yearly duty report, as .docx and PDF, written from their duty record.

The figures are reports.duty's (the same the record page shows); fonts, the embedded CJK font
and the PDF come from cppcc.documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc import documents
from members.models import DutyEntry, Member

from . import duty

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def points_text(points: Decimal) -> str:
    """12.0 -> "12", 2.5 -> "2.5"."""
    return f"{points.normalize():f}" if points == points.to_integral() else f"{points:f}"


@dataclass(frozen=True)
class DutyReport:
    member: Member
    year: int
    total: Decimal
    rank: dict
    by_kind: list[dict]
    entries: list[DutyEntry]

    @classmethod
    def build(cls, member: Member, year: int) -> DutyReport:
        """The report's figures: three queries (kinds, ranks, entries)."""
        by_kind = duty.points_by_kind(member, year)
        return cls(
            member=member,
            year=year,
            total=sum((row["points"] for row in by_kind), duty.ZERO),
            rank=duty.member_rank(member, year),
            by_kind=by_kind,
            entries=list(DutyEntry.objects.filter(member=member, year=year).order_by("date", "id")),
        )

    @property
    def heading(self) -> str:
        return _("%(name)s委员%(year)d年度履职报告") % {"name": self.member.name, "year": self.year}

    @property
    def done_kinds(self) -> list[dict]:
        return [row for row in self.by_kind if row["count"]]

    @property
    def summary(self) -> str:
        """ "本年度出席全体会议1次，参加协商会议3次，……，累计积分xx分，位列全县第n名"."""
        parts = [
            _("%(kind)s%(n)d次") % {"kind": row["name"], "n": row["count"]}
            for row in self.done_kinds
        ]
        if not parts:
            parts = [_("暂无履职记录")]
        text = _("本年度") + "，".join(parts)
        text += "，" + _("累计积分%(p)s分") % {"p": points_text(self.total)}
        if self.rank["county"] is not None:
            text += "，" + _("位列全县第%(n)d名（共%(of)d人）") % {
                "n": self.rank["county"],
                "of": self.rank["county_of"],
            }
            text += "，" + _("界别内第%(n)d名") % {"n": self.rank["sector"]}
        return text + "。"

    @property
    def kind_rows(self) -> list[list[str]]:
        rows = [
            [row["name"], str(row["count"]), points_text(row["points"])] for row in self.done_kinds
        ]
        rows.append(
            [_("合计"), str(sum(r["count"] for r in self.done_kinds)), points_text(self.total)]
        )
        return rows

    @property
    def entry_rows(self) -> list[list[str]]:
        return [
            [e.date.isoformat(), e.get_kind_display(), e.title, points_text(e.points)]
            for e in self.entries
        ]

    @property
    def intro(self) -> str:
        m = self.member
        return _("%(name)s，%(sector)s委员，%(employer)s%(job)s。") % {
            "name": m.name,
            "sector": m.sector.name,
            "employer": m.employer,
            "job": m.job_title,
        }


KIND_HEADERS = (gettext_lazy("履职类型"), gettext_lazy("次数"), gettext_lazy("积分"))
ENTRY_HEADERS = (
    gettext_lazy("日期"),
    gettext_lazy("类型"),
    gettext_lazy("履职事项"),
    gettext_lazy("积分"),
)


def report_docx(report: DutyReport) -> bytes:
    document = documents.new_document()
    documents.title(document, report.heading)
    documents.paragraph(document, report.intro)
    documents.paragraph(document, report.summary)
    documents.heading(document, _("一、积分构成"))
    documents.table(document, [str(h) for h in KIND_HEADERS], report.kind_rows)
    documents.heading(document, _("二、履职记录"))
    if report.entries:
        documents.table(document, [str(h) for h in ENTRY_HEADERS], report.entry_rows)
    else:
        documents.paragraph(document, _("本年度暂无履职记录。"))
    return documents.docx_bytes(document)


def report_pdf(report: DutyReport) -> bytes:
    html = render_to_string(
        "reports/duty/report_pdf.html",
        {
            "report": report,
            "kind_headers": KIND_HEADERS,
            "entry_headers": ENTRY_HEADERS,
        },
    )
    return documents.pdf_bytes(html)
