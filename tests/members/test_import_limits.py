"""The member import reads hostile or runaway spreadsheets safely: the declared <dimension> is
ignored, rows and columns stop at a limit with a Chinese message, and a damaged cell reference
is a message, never a server error. One bad row still writes nothing."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from members import importing
from members.models import Member

from .conftest import row, xlsx

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_sheet(book: io.BytesIO, change) -> io.BytesIO:
    """The same workbook with its first sheet's XML passed through `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == SHEET:
                data = change(data.decode()).encode()
            dst.writestr(item, data)
    out.seek(0)
    return out


def declaring_whole_sheet(book: io.BytesIO) -> io.BytesIO:
    return rewrite_sheet(
        book, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)
    )


def test_a_sheet_declaring_a_million_rows_reads_only_its_real_rows(tables, monkeypatch):
    book = declaring_whole_sheet(xlsx([row(1), row(2)]))
    assert len(book.getvalue()) < 8 * 1024  # the size of the reported file (4.7 KB)
    seen = []
    real_check = importing._check_width
    monkeypatch.setattr(
        importing, "_check_width", lambda n, v: seen.append((n, len(v))) or real_check(n, v)
    )
    plan = importing.parse_workbook(book)
    assert plan.ok, plan.errors
    assert [r.row for r in plan.rows] == [2, 3]
    # The header is read to its last real cell, not padded to the declared 16,384 columns.
    assert seen == [(1, len(importing.COLUMNS))]


def test_rows_beyond_the_limit_refuse_the_file(tables, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    plan = importing.parse_workbook(xlsx([row(i) for i in range(5)]))
    assert not plan.ok and not plan.rows
    assert "最多 3 行" in str(plan.errors[0])


def test_a_value_beyond_the_column_limit_refuses_the_file(tables, monkeypatch):
    monkeypatch.setattr(importing, "MAX_COLUMNS", 20)
    headers = [c.header for c in importing.COLUMNS] + [""] * 10 + ["备注"]
    plan = importing.parse_workbook(xlsx([row(1)], headers=headers))
    assert not plan.ok
    assert "最多 20 列" in str(plan.errors[0])


def test_empty_columns_beyond_the_template_are_fine(tables):
    headers = [c.header for c in importing.COLUMNS] + [""] * 80
    assert importing.parse_workbook(xlsx([row(1)], headers=headers)).ok


@pytest.mark.parametrize("bad", ["1A", "AAAAA2", "A-3"])
def test_a_damaged_cell_reference_is_a_message(tables, bad):
    book = rewrite_sheet(xlsx([row(1)]), lambda xml: xml.replace('r="B2"', f'r="{bad}"', 1))
    plan = importing.parse_workbook(book)
    assert not plan.ok and not plan.rows
    assert "无法读取" in plan.errors[0].reason


def test_damaged_file_on_the_import_page_is_a_message_and_writes_nothing(
    tables, client_for, office_user
):
    book = rewrite_sheet(xlsx([row(1)]), lambda xml: xml.replace('r="B2"', 'r="1A"', 1))
    book.name = "名册.xlsx"
    response = client_for(office_user).post(reverse("members:import"), {"file": book})
    assert response.status_code == 200
    assert "无法读取" in response.content.decode()
    assert Member.objects.count() == 0


def test_one_bad_row_in_a_huge_declared_sheet_still_names_row_and_column(tables):
    rows = [row(i) for i in range(3)]
    rows[1]["界别"] = "火星界"
    plan = importing.parse_workbook(declaring_whole_sheet(xlsx(rows)))
    assert [(e.row, e.column) for e in plan.errors] == [(3, "界别")]
    assert not plan.rows or not plan.ok
