"""The member import costs the same queries for 10 rows as for 100 (issue 13: 365 members in
under 2 s): lookups once per file, then one write per table, or per changed column, however many
rows the file has. No test here measures a time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import importing
from members.models import Member

from .conftest import row, xlsx

SMALL, LARGE = 10, 100


def rows_from(start: int, count: int, **overrides) -> list[dict]:
    return [row(i, **overrides) for i in range(start, start + count)]


def queries(function, *args, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function(*args, **kwargs)
    return len(captured), result


def test_checking_a_file_costs_the_same_queries_for_10_and_100_rows(tables, office_user):
    # 20 members on the register already, so the file's ID numbers are looked up for real.
    importing.apply_plan(importing.parse_workbook(xlsx(rows_from(0, 20))), by=office_user)
    small, small_plan = queries(importing.parse_workbook, xlsx(rows_from(0, SMALL)))
    large, large_plan = queries(importing.parse_workbook, xlsx(rows_from(0, LARGE)))
    assert small_plan.ok and large_plan.ok
    assert large_plan.counts == {"new": LARGE - 20, "changed": 0, "unchanged": 20}
    # sectors, committees, terms, the file's members, their terms
    assert small == large <= 5


def test_adding_members_costs_the_same_queries_for_10_and_100_rows(tables, office_user):
    small_plan = importing.parse_workbook(xlsx(rows_from(0, SMALL)))
    large_plan = importing.parse_workbook(xlsx(rows_from(SMALL, LARGE)))
    small, _counts = queries(importing.apply_plan, small_plan, by=office_user)
    large, _counts = queries(importing.apply_plan, large_plan, by=office_user)
    assert Member.objects.count() == SMALL + LARGE
    assert Member.history.filter(history_type="+").count() == SMALL + LARGE
    # savepoint, the members, their history rows, their terms, release
    assert small == large <= 5


def test_changing_members_costs_the_same_queries_for_10_and_100_rows(tables, office_user):
    everyone = rows_from(0, SMALL + LARGE)
    importing.apply_plan(importing.parse_workbook(xlsx(everyone)), by=office_user)

    def changed(start: int, count: int):
        rows = rows_from(start, count, 工作单位="区人民医院", 职务="副院长")
        for i, values in enumerate(rows):
            values["姓名"] = f"改名{start + i}"
        return importing.parse_workbook(xlsx(rows))

    small_plan, large_plan = changed(0, SMALL), changed(SMALL, LARGE)
    assert large_plan.counts == {"new": 0, "changed": LARGE, "unchanged": 0}
    small, _counts = queries(importing.apply_plan, small_plan, by=office_user)
    large, _counts = queries(importing.apply_plan, large_plan, by=office_user)
    # savepoint, the stored rows, one UPDATE for each of the five changed columns (name, its
    # pinyin and initials, employer, job title), the versions, the history rows, release
    assert small == large <= 10
    member = Member.objects.get(id_number=everyone[SMALL + LARGE - 1]["身份证号"])
    assert (member.name, member.employer, member.job_title) == ("改名109", "区人民医院", "副院长")
    assert member.name_pinyin == "gai ming"
    # Bumped, so an edit form opened before the import is refused as stale.
    assert member.version == 2
    assert member.history.first().history_type == "~"
    assert Member.history.filter(history_type="~").count() == SMALL + LARGE


def test_an_import_leaves_the_columns_it_did_not_change_alone(tables, office_user):
    rows = rows_from(0, 3)
    importing.apply_plan(importing.parse_workbook(xlsx(rows)), by=office_user)
    rows[1]["工作单位"] = "区人民医院"
    plan = importing.parse_workbook(xlsx(rows))
    with CaptureQueriesContext(connection) as captured:
        importing.apply_plan(plan, by=office_user)
    updates = [q["sql"] for q in captured if q["sql"].startswith("UPDATE")]
    assert any('"employer"' in sql for sql in updates)
    assert not any('"mobile"' in sql or '"id_number"' in sql for sql in updates)
    assert Member.objects.get(id_number=rows[1]["身份证号"]).employer == "区人民医院"
    assert set(Member.objects.values_list("version", flat=True)) == {1, 2}


def test_upload_and_confirm_pages_cost_the_same_queries_for_10_and_100_rows(
    tables, office_user, client_for
):
    c = client_for(office_user)

    def upload_and_confirm(start: int, count: int) -> tuple[int, int]:
        upload = xlsx(rows_from(start, count))
        upload.name = "名册.xlsx"
        checked, response = queries(c.post, "/members/import/", {"file": upload})
        assert response.status_code == 200
        written, response = queries(c.post, "/members/import/confirm/")
        assert response.status_code == 302
        return checked, written

    small = upload_and_confirm(0, SMALL)
    large = upload_and_confirm(SMALL, LARGE)
    assert Member.objects.count() == SMALL + LARGE
    # Checking (12): session, user, roles, sectors, committees, terms, the file's members,
    # the inbox badge, the audit row, the session saved (savepoint, update, release).
    # Writing (16): the same up to the members, then savepoint, members, history rows, terms,
    # release, the audit row, the session saved.
    assert small == large
    assert small[0] <= 12 and small[1] <= 16


def test_a_register_of_365_imports_with_the_queries_of_ten(tables, office_user):
    small, _plan = queries(importing.parse_workbook, xlsx(rows_from(0, SMALL)))
    content = xlsx(rows_from(SMALL, 365))
    parse, plan = queries(importing.parse_workbook, content)
    assert plan.ok, plan.errors[:3]
    write, _counts = queries(importing.apply_plan, plan, by=office_user)
    assert Member.objects.count() == 365
    assert parse == small
    assert write <= 5
