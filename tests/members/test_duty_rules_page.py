"""The points-rules page (/members/duty-rules/): access, validation, saving reprices the ledger,
the flagged-members to-do."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cppcc.navigation import read_todo_items
from members import duty
from members.models import DutyEntry, DutyKind, PointsRule
from studios.models import DutyShift

pytestmark = pytest.mark.django_db

URL = "/members/duty-rules/"


def test_rules_page_url_name():
    assert reverse("members:duty_rules") == URL


@pytest.mark.parametrize("who", ["member_user", "town_user", "unit_user", "leader_user"])
def test_only_office_and_admin_open_the_rules_page(who, request, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    rule = PointsRule.objects.first()
    assert client.post(reverse("members:duty_rule_delete", args=[rule.pk])).status_code == 403
    assert PointsRule.objects.filter(pk=rule.pk).exists()


def test_rules_page_shows_rules_in_force_by_category(
    office_user, client_for, django_assert_max_num_queries
):
    client = client_for(office_user)
    client.get(URL)  # warm the session's badge snapshot
    # session, user, roles, rules in force, rules with history, to-do/nav badges' reads
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "会议出勤" in text and "提案工作" in text
    assert 'data-testid="duty-rule-plenary_absent"' in text
    assert "-5.0" in text


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"points": "150"}, "points", "每次积分须在 -100 到 100 之间。"),
        ({"points": "-101"}, "points", "每次积分须在 -100 到 100 之间。"),
        ({"yearly_cap": "-1"}, "yearly_cap", "年度上限不能为负数；不设上限请留空。"),
        (
            {"effective_from": "2000-01-01"},
            "effective_from",
            "该履职类型在这一天已有规则，请修改那条规则或换一个生效日期。",
        ),
    ],
)
def test_bad_rule_is_refused_in_chinese_and_changes_nothing(
    office_user, client_for, data, field, message
):
    before = PointsRule.objects.count()
    post = {"kind": DutyKind.DUTY_DAY, "points": "2", "effective_from": "2024-07-01"} | data
    response = client_for(office_user).post(URL, post)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert PointsRule.objects.count() == before


def test_saving_a_rule_reprices_the_ledger(
    office_user,
    gunan_studio,
    member_a,
    client_for,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=datetime.date(2024, 8, 1))
    duty.rebuild()
    assert DutyEntry.objects.get(member=member_a).points == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_user).post(
            URL,
            {"kind": DutyKind.DUTY_DAY, "points": "1.5", "effective_from": "2024-07-01"},
            follow=True,
        )
    assert "规则已保存，履职积分正在重新计算" in response.content.decode()
    rule = PointsRule.objects.get(kind=DutyKind.DUTY_DAY, effective_from="2024-07-01")
    assert rule.created_by == office_user
    assert DutyEntry.objects.get(member=member_a).points == Decimal("1.5")


def test_editing_a_rule_date_later_reprices_from_its_old_date(
    office_user,
    gunan_studio,
    member_a,
    client_for,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=datetime.date(2024, 8, 1))
    rule = PointsRule.objects.create(
        kind=DutyKind.DUTY_DAY, points=Decimal(4), effective_from=datetime.date(2024, 7, 1)
    )
    duty.rebuild()
    assert DutyEntry.objects.get(member=member_a).points == 4
    with django_capture_on_commit_callbacks(execute=True):
        client_for(office_user).post(
            reverse("members:duty_rule_edit", args=[rule.pk]),
            {"kind": DutyKind.DUTY_DAY, "points": "4", "effective_from": "2025-01-01"},
        )
    assert DutyEntry.objects.get(member=member_a).points == 1


def test_deleting_a_rule_asks_first_then_reprices(
    office_user,
    gunan_studio,
    member_a,
    client_for,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=datetime.date(2024, 8, 1))
    rule = PointsRule.objects.create(
        kind=DutyKind.DUTY_DAY, points=Decimal(4), effective_from=datetime.date(2024, 7, 1)
    )
    duty.rebuild()
    client = client_for(office_user)
    url = reverse("members:duty_rule_delete", args=[rule.pk])
    page = client.get(url)
    assert "确认删除" in page.content.decode()
    assert PointsRule.objects.filter(pk=rule.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert not PointsRule.objects.filter(pk=rule.pk).exists()
    assert DutyEntry.objects.get(member=member_a).points == 1


def test_office_todo_counts_flagged_members(office_user, term, member_a, member_b):
    for member in (member_a, member_b):
        member.terms.add(term)
    [item] = read_todo_items(duty.todo_flagged_members(office_user))
    # Neither cast member has any duty this year.
    assert item.count == 2
    # A member outside the current term is not counted, as the ranking does not list them.
    member_b.terms.clear()
    [item] = read_todo_items(duty.todo_flagged_members(office_user))
    assert item.count == 1
    assert "flag=1" in item.url
