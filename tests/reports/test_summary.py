"""The yearly achievement summary (reports.summary): a small hand-built county year compiled by
the task (eager here), its stored figures against the figure functions and the hand count, its
files (Word, Excel, PDF with a CJK font embedded), one row per year and scope however often it
is started, and who may start and see it."""

import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from consultations.models import ConsultationMeeting, LivelihoodProject, Matter
from cppcc import documents
from members.models import CommitteeSession, DutyEntry, SessionAttendance
from proposals.models import LeaderInstruction, OpinionAdoption, OpinionReport
from reports import statistics, summary
from reports.models import SummaryScope, SummaryStatus, YearlySummary
from reports.periods import Period
from studios.models import Activity, HonoraryVillageHead, Problem, Village

# With REDIS_URL set (the PostgreSQL run) tasks would go to the broker; here they run inline.
pytestmark = pytest.mark.usefixtures("eager_celery")

YEAR = statistics.current_year() - 1  # a past year: whole years are compared
LAST = YEAR - 1


def day(year: int, month: int, d: int = 1) -> datetime.date:
    return datetime.date(year, month, d)


@pytest.fixture
def county_year(gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term):
    """古南 held 2 议前协商 and 1 现场协商 (25 people) in YEAR, 东溪 1 议前协商 (10 residents);
    古南 held 1 议前协商 the year before. 实事: 古南's done in YEAR (100.5万元, 300 people),
    东溪's recorded but not done (50万元, 200 people); one done the year before (30万元). Studio
    activities: a live-stream (12.5万元) and a tea talk in 古南, a courtyard meeting in 东溪; a
    live-stream (5万元) the year before. One problem solved. member_a is an honorary village
    head and the only member with duty points in YEAR."""
    gunan_matter = Matter.objects.create(town=gunan, year=YEAR, title="背街小巷改造")
    dongxi_matter = Matter.objects.create(town=dongxi, year=YEAR, title="农村饮水")
    old_matter = Matter.objects.create(town=gunan, year=LAST, title="停车难")
    for month in (3, 4):
        ConsultationMeeting.objects.create(
            town=gunan,
            matter=gunan_matter,
            kind="pre_meeting",
            date=day(YEAR, month),
            place="村委会",
        )
    ConsultationMeeting.objects.create(
        town=gunan,
        matter=gunan_matter,
        kind="on_site",
        date=day(YEAR, 5),
        place="现场",
        officials_count=5,
        residents_count=20,
    )
    ConsultationMeeting.objects.create(
        town=dongxi,
        matter=dongxi_matter,
        kind="pre_meeting",
        date=day(YEAR, 6),
        place="村委会",
        residents_count=10,
    )
    ConsultationMeeting.objects.create(
        town=gunan, matter=old_matter, kind="pre_meeting", date=day(LAST, 6), place="村委会"
    )
    LivelihoodProject.objects.create(
        matter=gunan_matter,
        title="改造小巷",
        recorded_on=day(YEAR, 3),
        done=True,
        done_on=day(YEAR, 6),
        funds_wan=Decimal("100.5"),
        beneficiaries=300,
    )
    LivelihoodProject.objects.create(
        matter=dongxi_matter,
        title="饮水管网",
        recorded_on=day(YEAR, 4),
        funds_wan=Decimal("50"),
        beneficiaries=200,
    )
    LivelihoodProject.objects.create(
        matter=old_matter,
        title="新增车位",
        recorded_on=day(LAST, 5),
        done=True,
        done_on=day(LAST, 7),
        funds_wan=Decimal("30"),
        beneficiaries=100,
    )
    Activity.objects.create(
        studio=gunan_studio,
        kind="livestream",
        title="茶叶直播",
        date=day(YEAR, 5),
        sales_wan=Decimal("12.5"),
        residents_reached=40,
    )
    Activity.objects.create(
        studio=gunan_studio,
        kind="tea_talk",
        title="茶园夜话",
        date=day(YEAR, 6),
        residents_reached=30,
    )
    Activity.objects.create(
        studio=dongxi_studio, kind="courtyard", title="院坝会", date=day(YEAR, 7)
    )
    Activity.objects.create(
        studio=gunan_studio,
        kind="livestream",
        title="去年直播",
        date=day(LAST, 5),
        sales_wan=Decimal("5"),
    )
    Problem.objects.create(
        studio=gunan_studio,
        title="路灯不亮",
        raised_by="居民",
        raised_on=day(YEAR, 2),
        status="solved",
        solved_on=day(YEAR, 3),
    )
    Problem.objects.create(
        studio=dongxi_studio, title="垃圾清运", raised_by="居民", raised_on=day(YEAR, 2)
    )
    village = Village.objects.create(town=gunan, name="三角村")
    HonoraryVillageHead.objects.create(
        member=member_a,
        village=village,
        start_on=day(LAST, 1),
        acres_developed=Decimal("120"),
        enterprises_fostered=2,
        funds_secured_wan=Decimal("80"),
        livestreams=6,
        income_raised_wan=Decimal("35"),
    )
    report = OpinionReport.objects.create(
        title="关于农村饮水的建议",
        situation="情况",
        suggestion="建议",
        submitted_on=day(YEAR, 3),
        studio=gunan_studio,
    )
    OpinionReport.objects.create(
        title="关于停车的建议", situation="情况", suggestion="建议", submitted_on=day(YEAR, 4)
    )
    OpinionAdoption.objects.create(
        report=report, level="city", adopted_on=day(YEAR, 5), source="市政协"
    )
    LeaderInstruction.objects.create(
        report=report, level="city", leader="市领导", text="请研究", instructed_on=day(YEAR, 6)
    )
    DutyEntry.objects.create(
        member=member_a,
        kind="studio_activity",
        date=day(YEAR, 6),
        year=YEAR,
        points=Decimal("2"),
        source="studios.activity:1",
        title="参加工作室活动：茶园夜话",
    )
    session = CommitteeSession.objects.create(
        term=term,
        kind="plenary",
        name="全体会议",
        ordinal=1,
        starts_on=day(YEAR, 1, 10),
        ends_on=day(YEAR, 1, 12),
    )
    SessionAttendance.objects.create(session=session, member=member_a, status="present")
    SessionAttendance.objects.create(session=session, member=member_b, status="absent")
    return {"gunan": gunan, "dongxi": dongxi}


def item(row: YearlySummary, section: str, key: str) -> dict:
    found = {s["key"]: s for s in row.figures["sections"]}[section]
    return next(i for i in found["items"] if i["key"] == key)


def compiled(user, scope=SummaryScope.COUNTY, **kwargs) -> list[YearlySummary]:
    """Starts and runs the compilation (eager, after the start's commit), rows read back."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        rows = summary.start(user, YEAR, scope, **kwargs)
    for row in rows:
        row.refresh_from_db()
    return rows


@pytest.fixture
def no_documents(monkeypatch):
    """Skips writing the files (seconds each, for the CJK font) where a test is about rows and
    figures only."""
    for name in ("summary_docx", "summary_xlsx", "summary_pdf"):
        monkeypatch.setattr(f"reports.summary_documents.{name}", lambda row: b"-")


@pytest.fixture
def county_summary(county_year, office_user, django_capture_on_commit_callbacks):
    (row,) = compiled(office_user)
    return row


def test_county_summary_figures_match_the_hand_count(county_summary):
    row = county_summary
    assert row.status == SummaryStatus.DONE and row.progress == 100
    assert item(row, "consultations", "meetings_pre_meeting")["value"] == 3
    assert item(row, "consultations", "meetings_pre_meeting")["previous"] == 1
    assert item(row, "consultations", "meetings_pre_meeting")["change"] == "较上年提高200%"
    assert item(row, "consultations", "meetings_on_site")["change"] == "较上年增加1"
    assert item(row, "consultations", "participations")["value"] == 35
    assert item(row, "consultations", "funds_wan")["value"] == 150.5
    assert item(row, "consultations", "projects_done")["change"] == "与上年持平"
    assert item(row, "consultations", "beneficiaries")["value"] == 500
    assert item(row, "studios", "activities")["value"] == 3
    assert item(row, "studios", "sales_wan")["value"] == 12.5
    assert item(row, "studios", "sales_wan")["change"] == "较上年提高150%"
    assert item(row, "studios", "problems_solved")["value"] == 1
    assert item(row, "village", "acres")["value"] == 120
    assert item(row, "opinions", "submitted")["value"] == 2
    assert item(row, "opinions", "adopted_city")["value"] == 1
    assert item(row, "opinions", "instructions")["value"] == 1
    assert item(row, "members", "active")["value"] == 1
    assert item(row, "members", "members")["value"] == 2


def test_county_summary_figures_are_the_statistics_functions(county_summary):
    period = Period.for_year(YEAR)
    meetings = ConsultationMeeting.objects.all()
    people = statistics.participations(meetings, period)
    projects = statistics.livelihood_projects(LivelihoodProject.objects.all(), period)
    totals = statistics.activity_totals(Activity.objects.all(), period)
    assert (
        item(county_summary, "consultations", "participations")["value"] == people["participations"]
    )
    assert item(county_summary, "consultations", "funds_wan")["value"] == float(
        projects["funds_wan"]
    )
    assert item(county_summary, "studios", "residents")["value"] == totals["residents"]


def test_narrative_speaks_in_the_seed_style_with_the_comparison(county_summary):
    text = county_summary.narrative
    assert "开展议前协商3场次（较上年提高200%）" in text
    assert "协调资金150.5万元" in text
    assert "与2024年全年相比" in text or f"与{LAST}年全年相比" in text


def test_town_summary_counts_only_its_town(no_documents, county_year, town_user):
    (row,) = compiled(town_user, SummaryScope.TOWN, town=county_year["gunan"])
    assert row.scope_name == "古南街道"
    assert item(row, "consultations", "meetings_pre_meeting")["value"] == 2
    assert item(row, "consultations", "funds_wan")["value"] == 100.5
    assert item(row, "studios", "activities")["value"] == 2
    assert item(row, "opinions", "submitted")["value"] == 1
    assert item(row, "members", "members")["value"] == 1


def test_excel_cells_hold_the_stored_figures(county_summary):
    wb = load_workbook(io.BytesIO(county_summary.xlsx.read()))
    sheet = wb["渝事好商量·一镇一事商量办"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["议前协商"][2] == 3 and rows["议前协商"][3] == 1
    assert rows["协调资金"][2] == 150.5
    towns = {r[0]: r for r in wb["分镇街统计"].iter_rows(min_row=2, values_only=True)}
    assert towns["古南街道"][1] == 3 and towns["东溪镇"][1] == 1


def test_excel_keeps_formula_like_text_as_text(
    county_year, office_user, django_capture_on_commit_callbacks
):
    county_year["gunan"].name = "=HYPERLINK(1)"
    county_year["gunan"].save()
    (row,) = compiled(office_user)
    wb = load_workbook(io.BytesIO(row.xlsx.read()))
    cell = next(c for c in wb["分镇街统计"]["A"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_word_document_has_the_figures_and_an_embedded_cjk_font(county_summary):
    data = county_summary.docx.read()
    assert documents.docx_fonts(data) == [documents.FONT_NAME]
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "开展议前协商3场次" in text and "协调资金150.5万元" in text


def test_pdf_has_the_figures_and_embeds_a_cjk_font(county_summary):
    data = county_summary.pdf.read()
    assert any("CJK" in name for name in documents.pdf_fonts(data))
    text = documents.pdf_text(data).replace("\n", "")
    assert "开展议前协商3场次" in text and "150.5万元" in text


# Builds the three files from a summary's stored figures in a process of its own.
OTHER_PROCESS = """
import datetime, hashlib, json, sys
import django
django.setup()
from reports import summary_documents
from reports.models import YearlySummary
data = json.load(sys.stdin)
row = YearlySummary(year=data["year"], scope="county", scope_key="county",
                    figures=data["figures"], narrative=data["narrative"],
                    period_end=datetime.date.fromisoformat(data["period_end"]))
for build in (summary_documents.summary_docx, summary_documents.summary_xlsx,
              summary_documents.summary_pdf):
    print(hashlib.sha256(build(row)).hexdigest())
"""


def test_the_files_are_the_same_bytes_when_built_in_another_process(county_summary):
    """What a compile rerun on another worker must give (tests/cppcc/test_task_reliability.py
    proves it with a killed worker): no clock, no hash seed, no process state in the bytes."""
    row = county_summary
    here = [hashlib.sha256(getattr(row, f).read()).hexdigest() for f in ("docx", "xlsx", "pdf")]
    given = {
        "year": row.year,
        "figures": row.figures,
        "narrative": row.narrative,
        "period_end": row.period_end.isoformat(),
    }
    env = {**os.environ, "PYTHONHASHSEED": "4242", "DJANGO_SETTINGS_MODULE": "cppcc.settings"}
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS],
        input=json.dumps(given),
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == here


def test_compiling_again_leaves_one_row_with_identical_figures(
    county_summary, office_user, django_capture_on_commit_callbacks
):
    first = county_summary.figures
    names = {county_summary.docx.name, county_summary.pdf.name}
    (again,) = compiled(office_user)
    assert again.pk == county_summary.pk
    assert again.figures == first
    assert {again.docx.name, again.pdf.name} == names
    assert YearlySummary.objects.count() == 1


def test_two_starts_before_the_task_runs_queue_one_compilation(
    county_year, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (first,) = summary.start(office_user, YEAR, SummaryScope.COUNTY)
        (second,) = summary.start(office_user, YEAR, SummaryScope.COUNTY)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert YearlySummary.objects.count() == 1


def test_county_with_towns_and_studios_makes_one_row_per_scope(
    no_documents, county_year, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = summary.start(
            office_user, YEAR, SummaryScope.COUNTY, include_towns=True, include_studios=True
        )
        summary.start(
            office_user, YEAR, SummaryScope.COUNTY, include_towns=True, include_studios=True
        )
    assert len(rows) == 5  # county, two towns, two studios
    assert YearlySummary.objects.count() == 5
    assert set(YearlySummary.objects.values_list("status", flat=True)) == {SummaryStatus.DONE}


def test_a_failure_is_recorded_and_a_new_start_retries(
    no_documents, county_year, office_user, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(summary_row):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr("reports.summary_documents.summary_docx", broken)
    (row,) = compiled(office_user)
    assert row.status == SummaryStatus.FAILED and "字体缺失" in row.error
    monkeypatch.setattr("reports.summary_documents.summary_docx", lambda summary_row: b"-")
    (row,) = compiled(office_user)
    assert row.status == SummaryStatus.DONE and row.error == ""


def test_a_future_year_is_refused_with_a_chinese_message(county_year, office_user):
    with pytest.raises(summary.SummaryError, match="年度须在"):
        summary.start(office_user, YEAR + 5, SummaryScope.COUNTY)
    assert not YearlySummary.objects.exists()


def test_town_clerk_cannot_start_the_county_or_another_town(county_year, town_user):
    with pytest.raises(summary.SummaryError):
        summary.start(town_user, YEAR, SummaryScope.COUNTY)
    with pytest.raises(summary.SummaryError):
        summary.start(town_user, YEAR, SummaryScope.TOWN, town=county_year["dongxi"])
    assert not YearlySummary.objects.exists()


# --- pages ------------------------------------------------------------------------------------


def test_detail_page_shows_the_figures_and_narrative(county_summary, client_for, leader_user):
    response = client_for(leader_user).get(county_summary.get_absolute_url())
    assert response.status_code == 200
    assert "开展议前协商3场次" in response.text
    assert "hx-trigger" not in response.text  # done: no polling


def test_progress_partial_polls_while_queued(
    county_year, office_user, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        (row,) = summary.start(office_user, YEAR, SummaryScope.COUNTY)
    response = client_for(office_user).get(reverse("reports:summary_progress", args=[row.pk]))
    assert 'hx-trigger="every 1s"' in response.text
    assert "<progress" in response.text and "style=" not in response.text


def test_start_form_starts_and_redirects(
    no_documents, county_year, client_for, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post(
            reverse("reports:summary_start"), {"year": YEAR, "scope": "county"}
        )
    row = YearlySummary.objects.get()
    assert response.status_code == 302 and response.url == row.get_absolute_url()
    assert row.status == SummaryStatus.DONE


def test_list_page_query_count_does_not_grow(
    county_summary, client_for, office_user, django_assert_max_num_queries
):
    c = client_for(office_user)
    # session, user, roles, count, rows (with town and studio), years covered, towns and
    # studios for the pickers, navigation todos
    with django_assert_max_num_queries(12):
        response = c.get(reverse("reports:summary_list"))
    assert response.status_code == 200 and "全区" in response.text


def test_file_downloads_are_access_checked(
    county_summary, client_for, office_user, member_user, unit_user, town_user
):
    url = reverse("reports:summary_file", args=[county_summary.pk, "pdf"])
    assert client_for(office_user).get(url).status_code == 200
    assert client_for(member_user).get(url).status_code == 403
    assert client_for(unit_user).get(url).status_code == 403
    assert client_for(town_user).get(url).status_code == 404  # the county's, not their town's


def test_other_towns_clerk_cannot_open_a_towns_summary(
    no_documents,
    county_year,
    town_user,
    other_town_user,
    client_for,
    django_capture_on_commit_callbacks,
):
    (row,) = compiled(town_user, SummaryScope.TOWN, town=county_year["gunan"])
    assert client_for(town_user).get(row.get_absolute_url()).status_code == 200
    assert client_for(other_town_user).get(row.get_absolute_url()).status_code == 404


# --- API --------------------------------------------------------------------------------------


def test_api_start_returns_202_with_rows_and_detail_has_figures(
    no_documents, county_year, client_for, office_user, django_capture_on_commit_callbacks
):
    c = client_for(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            "/api/v1/summaries/",
            {"year": YEAR, "scope": "county", "include_towns": True},
            content_type="application/json",
        )
    assert response.status_code == 202
    assert [r["scope"] for r in response.json()] == ["county", "town", "town"]
    detail = c.get(f"/api/v1/summaries/{response.json()[0]['id']}/").json()
    assert detail["status"] == "done" and detail["progress"] == 100
    assert set(detail["files"]) == {"docx", "xlsx", "pdf"}
    pre = next(
        i for i in detail["figures"]["sections"][0]["items"] if i["key"] == "meetings_pre_meeting"
    )
    assert pre["value"] == 3


def test_api_bad_input_is_a_chinese_400_and_changes_nothing(county_year, client_for, office_user):
    c = client_for(office_user)
    bad_scope = c.post(
        "/api/v1/summaries/", {"year": YEAR, "scope": "world"}, content_type="application/json"
    )
    assert bad_scope.status_code == 400 and "范围" in str(bad_scope.json())
    no_town = c.post(
        "/api/v1/summaries/", {"year": YEAR, "scope": "town"}, content_type="application/json"
    )
    assert no_town.status_code == 400 and "请选择镇街" in no_town.json()["detail"]
    future = c.post(
        "/api/v1/summaries/", {"year": YEAR + 9, "scope": "county"}, content_type="application/json"
    )
    assert future.status_code == 400 and "年度须在" in future.json()["detail"]
    assert not YearlySummary.objects.exists()


def test_api_access_by_role(
    county_summary, client_for, member_user, unit_user, other_town_user, leader_user
):
    url = f"/api/v1/summaries/{county_summary.pk}/"
    assert client_for(member_user).get(url).status_code == 403
    assert client_for(unit_user).get(url).status_code == 403
    assert client_for(other_town_user).get(url).status_code == 404
    assert client_for(leader_user).get(url).status_code == 200
    start = client_for(leader_user).post(
        "/api/v1/summaries/", {"year": YEAR, "scope": "county"}, content_type="application/json"
    )
    assert start.status_code == 403


def test_api_town_clerk_may_not_name_another_town(county_year, client_for, town_user):
    response = client_for(town_user).post(
        "/api/v1/summaries/",
        {"year": YEAR, "scope": "town", "town": county_year["dongxi"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "不在您的数据范围内" in str(response.json())
