"""The 述职报告: a member's yearly duty report as .docx and PDF, from their record."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from cppcc.documents import FONT_NAME, docx_fonts, pdf_fonts, pdf_text
from members.models import DutyEntry, DutyKind
from reports.duty_documents import DutyReport

THIS_YEAR = timezone.localdate().year


def entry(member, kind, points, n):
    DutyEntry.objects.create(
        member=member,
        kind=kind,
        date=datetime.date(THIS_YEAR, 1, 1),
        year=THIS_YEAR,
        points=Decimal(points),
        source=f"tests.doc:{member.pk}:{n}",
        title=f"履职事项{n}",
    )


@pytest.fixture
def ledger(term, member_a, member_b):
    member_a.terms.add(term)
    member_b.terms.add(term)
    entry(member_a, DutyKind.PLENARY_PRESENT, "5", 1)
    for n in range(2, 5):
        entry(member_a, DutyKind.CONSULTATION_MEETING, "2", n)
    entry(member_b, DutyKind.PROPOSAL_EXCELLENT, "20", 9)
    return member_a


def test_summary_is_written_from_the_figures(ledger):
    report = DutyReport.build(ledger, THIS_YEAR)
    assert report.heading == f"张古南委员{THIS_YEAR}年度履职报告"
    assert report.summary.startswith("本年度出席全体会议1次，参加协商会议3次，")
    assert "累计积分11分，位列全县第2名（共2人）" in report.summary


def test_docx_has_heading_total_rank_kinds_and_entries(client_for, member_user, ledger):
    response = client_for(member_user).get(reverse("reports:duty_report", args=[ledger.pk, "docx"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"张古南委员{THIS_YEAR}年度履职报告" in text
    assert "累计积分11分，位列全县第2名" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "参加协商会议" in cells and "履职事项3" in cells
    assert FONT_NAME in docx_fonts(response.content)


def test_pdf_contains_total_and_rank_and_embeds_a_cjk_font(client_for, office_user, ledger):
    response = client_for(office_user).get(
        reverse("reports:duty_report", args=[ledger.pk, "pdf"]), {"year": THIS_YEAR}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert "累计积分11分" in text and "位列全县第2名" in text
    assert any("CJK" in name for name in pdf_fonts(response.content))


def test_unknown_format_is_404(client_for, office_user, ledger):
    url = reverse("reports:duty_report", args=[ledger.pk, "xls"])
    assert client_for(office_user).get(url).status_code == 404
