"""民生实事 under a matter: entered from 督办协商 on, validated in Chinese, scoped like the
matter, totalled as the matter's outcome; and the data migration that turned the old outcome
fields into projects."""

import datetime
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import LivelihoodProject, Step
from cppcc.workflow import WorkflowError

from .conftest import add_project

TODAY = timezone.localdate()
API = "/api/v1/livelihood-projects/"


def payload(matter, **fields):
    return {
        "matter": matter.pk,
        "title": "荷塘道路硬化",
        "funds_wan": "35.50",
        "beneficiaries": 800,
        **fields,
    }


def test_projects_wait_for_supervision(matter, walk_to, office_user, client_for):
    walk_to(matter, Step.ON_SITE)
    with pytest.raises(WorkflowError, match="督办协商"):
        add_project(matter, office_user)
    response = client_for(office_user).post(API, payload(matter), content_type="application/json")
    assert response.status_code == 400
    assert "督办协商" in response.json()["detail"]
    assert not LivelihoodProject.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"done": True, "done_on": None}, "已办成的实事须填写办成日期"),
        ({"done": True, "done_on": TODAY + datetime.timedelta(days=1)}, "办成日期不能晚于今天"),
        ({"done": True, "done_on": datetime.date(2000, 1, 1)}, "办成日期不能早于议题的立案日期"),
        ({"recorded_on": TODAY + datetime.timedelta(days=1)}, "录入日期不能晚于今天"),
        ({"funds_wan": Decimal("-1")}, "协调资金不能为负数"),
        ({"title": "  "}, "请填写实事名称"),
    ],
    ids=[
        "done-needs-date",
        "done-future",
        "done-before-registration",
        "recorded-future",
        "negative-funds",
        "no-title",
    ],
)
def test_a_bad_project_is_refused_with_its_reason(fields, message, matter, walk_to, office_user):
    walk_to(matter, Step.SUPERVISION)
    with pytest.raises(WorkflowError, match=message):
        add_project(matter, office_user, **fields)
    assert not LivelihoodProject.objects.exists()


def test_the_api_refuses_negative_funds_in_chinese(matter, walk_to, office_user, client_for):
    walk_to(matter, Step.SUPERVISION)
    response = client_for(office_user).post(
        API, payload(matter, funds_wan="-3"), content_type="application/json"
    )
    assert response.status_code == 400
    assert "负数" in response.json()["detail"]
    assert not LivelihoodProject.objects.exists()


def test_the_matter_totals_its_projects(matter, walk_to, office_user, client_for):
    walk_to(matter, Step.SUPERVISION)
    add_project(matter, office_user, funds_wan=Decimal("20.5"), beneficiaries=300)
    add_project(matter, office_user, funds_wan=Decimal("9.5"), beneficiaries=50, done=False)
    assert matter.project_totals() == {
        "count": 2,
        "done": 1,
        "funds_wan": Decimal("30.00"),
        "beneficiaries": 350,
    }
    c = client_for(office_user)
    body = c.get(f"/api/v1/matters/{matter.pk}/").json()
    assert body["project_totals"] == {
        "count": 2,
        "done": 1,
        "funds_wan": "30.00",
        "beneficiaries": 350,
    }
    assert (body["project_count"], body["project_done"]) == (2, 1)
    page = c.get(matter.get_absolute_url()).content.decode()
    assert "合计 2 项（已办成 1 项）" in page


def test_another_towns_clerk_gets_404_and_a_unit_cannot_write(
    matter, walk_to, office_user, other_town_user, unit_user, client_for
):
    walk_to(matter, Step.SUPERVISION)
    project = add_project(matter, office_user)
    other = client_for(other_town_user)
    url = f"{API}{project.pk}/"
    assert other.get(url).status_code == 404
    assert other.patch(url, {"title": "改"}, content_type="application/json").status_code == 404
    assert other.delete(url).status_code == 404
    assert other.get(API).json()["count"] == 0
    response = other.post(API, payload(matter), content_type="application/json")
    assert response.status_code == 400  # the matter is not one it may name
    unit = client_for(unit_user)
    assert unit.get(url).status_code == 200  # its unit was assigned the matter
    assert unit.post(API, payload(matter), content_type="application/json").status_code == 403
    assert unit.delete(url).status_code == 403
    page = reverse("consultations:project_edit", args=[matter.pk, project.pk])
    assert client_for(other_town_user).get(page).status_code == 404
    assert LivelihoodProject.objects.get().title == project.title


def test_the_town_clerk_edits_a_project_through_the_api(
    matter, walk_to, office_user, town_user, client_for
):
    walk_to(matter, Step.SUPERVISION)
    project = add_project(matter, office_user)
    response = client_for(town_user).patch(
        f"{API}{project.pk}/", {"done": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    # Undone, it keeps no done date.
    assert (project.done, project.done_on) == (False, None)


def test_deleting_asks_for_confirmation_first(matter, walk_to, office_user, client_for):
    walk_to(matter, Step.SUPERVISION)
    project = add_project(matter, office_user)
    c = client_for(office_user)
    url = reverse("consultations:project_delete", args=[matter.pk, project.pk])
    response = c.get(url)
    assert "确定删除民生实事" in response.content.decode()
    assert LivelihoodProject.objects.filter(pk=project.pk).exists()
    assert c.post(url).status_code == 302
    assert not LivelihoodProject.objects.filter(pk=project.pk).exists()


def test_a_completed_matter_keeps_at_least_one_project(matter, walk_to, office_user):
    walk_to(matter, "completed")
    (project,) = matter.projects.all()
    with pytest.raises(WorkflowError, match="至少保留一项"):
        services.delete_project(project, by=office_user)
    assert matter.projects.count() == 1


def test_projects_are_added_on_the_matter_page(matter, walk_to, office_user, client_for):
    walk_to(matter, Step.SUPERVISION)
    c = client_for(office_user)
    url = reverse("consultations:project_create", args=[matter.pk])
    response = c.post(
        url,
        {
            "title": "路灯",
            "recorded_on": str(TODAY),
            "funds_wan": "5",
            "beneficiaries": "60",
            "done": "on",
        },
    )
    assert response.status_code == 200
    assert "已办成的实事须填写办成日期" in response.content.decode()
    assert not LivelihoodProject.objects.exists()
    response = c.post(
        url, {"title": "路灯", "recorded_on": str(TODAY), "funds_wan": "5", "beneficiaries": "60"}
    )
    assert response.status_code == 302
    assert LivelihoodProject.objects.get().beneficiaries == 60


# --- the data migration ------------------------------------------------------------------------

migration = importlib.import_module("consultations.migrations.0006_outcome_as_projects")


def old_matter(**fields):
    created = timezone.make_aware(datetime.datetime(2024, 3, 5, 10))
    return SimpleNamespace(
        **{
            "funds_wan": None,
            "beneficiaries": None,
            "solved": None,
            "result_summary": "",
            "completed_at": None,
            "created_at": created,
            **fields,
        }
    )


def test_the_migration_keeps_a_completed_matters_outcome_as_one_done_project():
    completed = timezone.make_aware(datetime.datetime(2024, 11, 20, 15))
    values = migration.project_for_outcome(
        old_matter(
            funds_wan=Decimal("120.00"),
            beneficiaries=500,
            solved=True,
            result_summary="\n20亩荷塘投产\n村集体增收12万元。",
            completed_at=completed,
        )
    )
    assert values == {
        "title": "20亩荷塘投产",
        "recorded_on": datetime.date(2024, 11, 20),
        "done": True,
        "done_on": datetime.date(2024, 11, 20),
        "funds_wan": Decimal("120.00"),
        "beneficiaries": 500,
    }


def test_the_migration_dates_an_unfinished_outcome_by_the_matter_and_names_it_plainly():
    values = migration.project_for_outcome(old_matter(funds_wan=Decimal("8"), solved=False))
    assert values["title"] == "（原办理成效）"
    assert (values["recorded_on"], values["done"], values["done_on"]) == (
        datetime.date(2024, 3, 5),
        False,
        None,
    )
    assert values["beneficiaries"] == 0


def test_the_migration_makes_no_project_of_a_matter_without_figures():
    assert migration.project_for_outcome(old_matter(solved=True, result_summary="已完成")) is None
