"""The spreadsheet import: all-or-nothing, every problem named by row and column, idempotent."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from members import importing, services
from members.models import Member, Term

from .conftest import REGISTERED_ELSEWHERE_IN_TIME, bad_checksum, make_id, read_xlsx, row, xlsx


def plan_for(rows, **kw):
    return importing.parse_workbook(xlsx(rows, **kw))


def errors_of(plan):
    return [(e.row, e.column) for e in plan.errors]


@pytest.fixture
def ten_rows():
    return [row(i) for i in range(10)]


@pytest.mark.parametrize("position", [0, 5, 9], ids=["first", "middle", "last"])
def test_one_bad_row_anywhere_writes_nothing_and_names_row_and_column(
    tables, office_user, ten_rows, position
):
    ten_rows[position]["身份证号"] = bad_checksum(ten_rows[position]["身份证号"])
    plan = plan_for(ten_rows)
    assert errors_of(plan) == [(position + 2, "身份证号")]
    assert "校验位" in plan.errors[0].reason
    assert str(plan.errors[0]).startswith(f"第 {position + 2} 行「身份证号」")
    with pytest.raises(ValueError):
        importing.apply_plan(plan, by=office_user)
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("姓名", "", "姓名不能为空"),
        ("界别", "火星界", "未知的界别“火星界”"),
        ("政治面貌", "无党", "未知的政治面貌"),
        ("专委会", "不存在委", "未知的专委会"),
        ("手机号码", "1391234", "手机号码"),
        ("出生日期", "1975-13-01", "日期格式不正确"),
        ("出生日期", "1999-01-01", "与身份证号中的出生日期不一致"),
        ("性别", "未知", "只能填"),
        ("政协职务", "组长", "未知的取值"),
        ("任职届次", "第九十届", "未知的届次"),
        ("身份证号", "51022319750501", "18位"),
    ],
)
def test_each_invalid_cell_is_reported_with_a_chinese_reason(tables, column, value, reason):
    rows = [row(i) for i in range(3)]
    rows[1][column] = value
    plan = plan_for(rows)
    assert errors_of(plan) == [(3, column)]
    assert reason in plan.errors[0].reason


def test_duplicate_id_in_the_file_names_both_rows(tables):
    rows = [row(i) for i in range(4)]
    rows[3]["身份证号"] = rows[1]["身份证号"]
    plan = plan_for(rows)
    assert errors_of(plan) == [(5, "身份证号")]
    assert "第 3 行" in plan.errors[0].reason


def test_id_typed_as_a_number_is_refused(tables):
    rows = [row(0)]
    rows[0]["身份证号"] = 510223197505011234  # what Excel does to a column not set to text
    plan = plan_for(rows)
    assert errors_of(plan) == [(2, "身份证号")]
    assert "文本" in plan.errors[0].reason


def test_missing_required_column_is_reported(tables):
    headers = [c.header for c in importing.COLUMNS if c.header != "界别"]
    plan = plan_for([row(0)], headers=headers)
    assert errors_of(plan) == [(1, "界别")]


def test_every_error_of_a_file_is_listed_at_once(tables):
    rows = [row(i) for i in range(5)]
    rows[0]["姓名"] = ""
    rows[2]["界别"] = "不存在"
    rows[4]["手机号码"] = "123"
    assert errors_of(plan_for(rows)) == [(2, "姓名"), (4, "界别"), (6, "手机号码")]


def test_clean_file_imports_and_reimport_changes_nothing(tables, office_user):
    rows = [row(i) for i in range(20)]
    plan = plan_for(rows)
    assert plan.ok and plan.counts == {"new": 20, "changed": 0, "unchanged": 0}
    importing.apply_plan(plan, by=office_user)
    assert Member.objects.count() == 20
    member = Member.objects.get(id_number=rows[0]["身份证号"])
    assert member.name_pinyin.startswith("dao ru")
    assert list(member.terms.all()) == [tables]
    # Birth date and gender came from the ID number.
    assert member.birth_date == datetime.date(1970, 1, 1)
    assert member.history.first().history_user == office_user
    history_rows = Member.history.count()

    again = plan_for(rows)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 20}
    importing.apply_plan(again, by=office_user)
    assert Member.objects.count() == 20
    assert Member.history.count() == history_rows


def test_changed_row_updates_the_member_matched_by_id(tables, office_user):
    rows = [row(i) for i in range(3)]
    importing.apply_plan(plan_for(rows), by=office_user)
    rows[1]["工作单位"] = "区人民医院"
    rows[1]["姓名"] = "曾改名"
    rows[1]["任职届次"] = "第十四届、第十五届"
    Term.objects.create(name="第十四届", start_year=2016, end_year=2021)
    plan = plan_for(rows)
    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 2}
    changed = next(r for r in plan.rows if r.action == "changed")
    assert set(changed.changed_fields) == {"姓名", "工作单位", "任职届次"}
    importing.apply_plan(plan, by=office_user)
    member = Member.objects.get(id_number=rows[1]["身份证号"])
    assert (member.name, member.employer, member.name_pinyin) == (
        "曾改名",
        "区人民医院",
        "zeng gai ming",
    )
    assert member.terms.count() == 2
    assert member.history.first().history_type == "~"


def test_id_of_member_who_left_is_refused_until_they_return(tables, office_user):
    from members import workflow

    rows = [row(0)]
    importing.apply_plan(plan_for(rows), by=office_user)
    member = Member.objects.get()
    workflow.member_leave(member, on=datetime.date(2024, 1, 1), reason="调离", by=office_user)
    plan = plan_for(rows)
    assert errors_of(plan) == [(2, "身份证号")]


def test_template_round_trip_download_fill_upload_confirm(tables, office_user, client_for):
    c = client_for(office_user)
    response = c.get("/members/import/template/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [cell.value for cell in ws[1]]
    assert headers[0] == "姓名*" and "身份证号*" in headers
    id_col = headers.index("身份证号*") + 1
    assert ws.cell(row=2, column=id_col).number_format == "@"
    values = row(1)
    for i, header in enumerate(headers, start=1):
        ws.cell(row=2, column=i, value=values.get(header.rstrip("*"), None))
    filled = io.BytesIO()
    wb.save(filled)
    filled.seek(0)
    filled.name = "名册.xlsx"

    preview = c.post("/members/import/", {"file": filled})
    assert preview.status_code == 200
    assert "新增 1 人" in preview.content.decode()
    assert Member.objects.count() == 0  # nothing written before confirming

    done = c.post("/members/import/confirm/")
    assert done.status_code == 302
    member = Member.objects.get()
    assert member.id_number == values["身份证号"]
    assert member.sector.name == "教育界"


def test_upload_with_errors_shows_the_list_and_offers_no_confirm(tables, office_user, client_for):
    rows = [row(i) for i in range(3)]
    rows[2]["界别"] = "不存在界"
    f = xlsx(rows)
    f.name = "bad.xlsx"
    c = client_for(office_user)
    html = c.post("/members/import/", {"file": f}).content.decode()
    assert "import-errors" in html and "不存在界" in html and "<td>4</td>" in html
    assert "import_confirm" not in html and "/members/import/confirm/" not in html
    assert c.post("/members/import/confirm/").status_code == 302
    assert Member.objects.count() == 0


def test_leader_cannot_import(tables, leader_user, client_for):
    assert client_for(leader_user).get("/members/import/").status_code == 403


def test_export_of_the_register_imports_back_unchanged(tables, office_user, client_for):
    importing.apply_plan(plan_for([row(i) for i in range(5)]), by=office_user)
    content = client_for(office_user).get("/members/export/").content
    assert read_xlsx(content)[0][:2] == ["姓名", "性别"]
    plan = importing.parse_workbook(io.BytesIO(content))
    assert plan.ok and plan.counts == {"new": 0, "changed": 0, "unchanged": 5}


def test_command_dry_run_writes_nothing(tables, tmp_path, capsys):
    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx([row(i) for i in range(3)]).getvalue())
    call_command("import_members", str(path), "--dry-run")
    assert "新增 3 人" in capsys.readouterr().out
    assert Member.objects.count() == 0


def test_command_imports_with_user_and_fails_on_errors(tables, tmp_path, office_user, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row(i) for i in range(3)]).getvalue())
    call_command("import_members", str(good), "--user", office_user.username)
    assert Member.objects.count() == 3
    assert Member.history.filter(history_user=office_user).count() == 3

    rows = [row(i) for i in range(3, 6)]
    rows[1]["身份证号"] = make_id()[:-1] + "Y"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(rows).getvalue())
    with pytest.raises(CommandError):
        call_command("import_members", str(bad))
    assert "第 3 行「身份证号」" in capsys.readouterr().err
    assert Member.objects.count() == 3


def test_default_sectors_match_import_lookups(tables):
    # The template's drop-down lists come from the tables the import checks against.
    wb = load_workbook(io.BytesIO(importing.build_template()))
    choices = wb["可选值"]
    sectors = [c.value for c in choices["B"][1:] if c.value]
    assert sectors == list(services.DEFAULT_SECTORS)


def test_numbers_with_a_code_from_another_year_import(tables, office_user):
    rows = [row(i, 身份证号=number) for i, number in enumerate(REGISTERED_ELSEWHERE_IN_TIME)]
    plan = plan_for(rows)
    assert plan.ok, [str(e) for e in plan.errors]
    importing.apply_plan(plan, by=office_user)
    member = Member.objects.get(id_number="500110198005061228")
    assert member.birth_date == datetime.date(1980, 5, 6) and member.gender == "F"
    assert Member.objects.count() == 4


@pytest.mark.parametrize(
    ("number", "part"),
    [
        ("999999198001011233", "地区码"),
        ("500110198002301230", "出生日期"),
        ("500110198005061229", "校验位"),
        ("5001101980050612", "长度"),
    ],
)
def test_import_names_the_part_of_the_number_that_is_wrong(tables, number, part):
    rows = [row(i) for i in range(2)]
    rows[1]["身份证号"] = number
    plan = plan_for(rows)
    assert errors_of(plan) == [(3, "身份证号")]
    assert part in plan.errors[0].reason


def test_template_downloads_under_a_chinese_name(tables, office_user, client_for):
    response = client_for(office_user).get("/members/import/template/")
    assert (
        "filename*=utf-8''%E5%A7%94%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
        in (response["Content-Disposition"])
    )


def test_register_exports_under_a_dated_chinese_name(tables, office_user, client_for):
    from urllib.parse import quote

    from django.utils import timezone

    response = client_for(office_user).get("/members/export/")
    expected = quote(f"委员名册-{timezone.localdate().isoformat()}.xlsx")
    assert f"filename*=utf-8''{expected}" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
