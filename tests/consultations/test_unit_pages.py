"""The handling units' side: their home page lists their matters; on a matter page they report
progress and see no controls that move the matter."""

import datetime

from django.urls import reverse
from django.utils import timezone

from consultations import services, workflow
from consultations.models import Matter, Step, UnitProgress
from cppcc.models import Notification
from tests.pages import block_context

TODAY = timezone.localdate()


def test_unit_home_lists_only_its_units_matters(
    client_for, unit_user, matter, new_matter, walk_to, dongxi, other_unit, office_user
):
    ours = walk_to(matter, Step.ASSIGNED)
    theirs = walk_to(new_matter(town=dongxi, title="东溪场镇停车"), Step.REGISTERED)
    services.set_assignment(theirs, lead_unit=other_unit, deadline=TODAY, by=office_user)

    response = client_for(unit_user).get(reverse("proposals:unit_home"))

    # Proposals add their own block to the unit home; this test reads the matters block.
    block = block_context(response, "consultations/unit_section.html")
    assert [m.pk for m in block["assigned"]] == [ours.pk]
    html = response.content.decode()
    assert ours.get_absolute_url() in html and "牵头单位" in html
    assert "东溪场镇停车" not in html


def test_a_unit_does_not_see_a_matter_before_it_is_assigned(
    client_for, unit_user, unit, matter, walk_to, office_user
):
    walk_to(matter, Step.REGISTERED)
    # The office drafts the assignment at 政协立案; the unit sees it once it is 交办.
    services.set_assignment(matter, lead_unit=unit, deadline=TODAY, by=office_user)
    client = client_for(unit_user)
    assert client.get(matter.get_absolute_url()).status_code == 404
    assert (
        "目前没有交办给本单位的事项" in client.get(reverse("proposals:unit_home")).content.decode()
    )
    workflow.matter_assign(Matter.objects.get(pk=matter.pk), by=office_user)
    assert client.get(matter.get_absolute_url()).status_code == 200


def test_unit_home_flags_a_passed_deadline(client_for, unit_user, unit, matter, office_user):
    workflow.matter_register(matter, by=office_user, registered_on=TODAY - datetime.timedelta(20))
    services.set_assignment(
        matter,
        lead_unit=unit,
        deadline=TODAY - datetime.timedelta(days=1),
        assigned_on=TODAY - datetime.timedelta(days=10),
        by=office_user,
    )
    workflow.matter_assign(Matter.objects.get(pk=matter.pk), by=office_user)
    html = client_for(unit_user).get(reverse("proposals:unit_home")).content.decode()
    assert "已逾期" in html


def test_unit_user_opens_its_assigned_matter_without_move_controls(
    client_for, unit_user, matter, walk_to
):
    matter = walk_to(matter, Step.ASSIGNED)
    response = client_for(unit_user).get(matter.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "报送办理进展" in html
    assert 'data-testid="advance"' not in html and 'data-testid="send-back"' not in html
    assert reverse("consultations:matter_edit", args=[matter.pk]) not in html


def test_unit_user_gets_404_on_a_matter_not_assigned_to_it(
    client_for, unit_user, new_matter, walk_to, other_unit, office_user
):
    unassigned = new_matter(title="未交办的议题")
    elsewhere = walk_to(new_matter(title="交给住建委的议题"), Step.REGISTERED)
    services.set_assignment(elsewhere, lead_unit=other_unit, deadline=TODAY, by=office_user)
    c = client_for(unit_user)
    assert c.get(unassigned.get_absolute_url()).status_code == 404
    assert c.get(elsewhere.get_absolute_url()).status_code == 404


def test_unit_user_cannot_advance_or_send_back(client_for, unit_user, matter, walk_to):
    matter = walk_to(matter, Step.ASSIGNED)
    c = client_for(unit_user)
    data = {"step": Step.ASSIGNED, "status": "active", "reason": "单位不同意"}
    assert (
        c.post(reverse("consultations:matter_advance", args=[matter.pk]), data).status_code == 403
    )
    assert (
        c.post(reverse("consultations:matter_send_back", args=[matter.pk]), data).status_code == 403
    )
    assert Matter.objects.get(pk=matter.pk).step == Step.ASSIGNED


def test_unit_reports_progress_and_the_town_clerk_is_notified(
    client_for, unit_user, town_user, matter, walk_to
):
    matter = walk_to(matter, Step.SUPERVISION)
    c = client_for(unit_user)
    response = c.post(
        reverse("consultations:progress_create", args=[matter.pk]),
        {"body": "便道已硬化 800 米，月底完工。"},
    )
    assert response.url == matter.get_absolute_url()
    report = UnitProgress.objects.get(matter=matter)
    assert report.unit == unit_user.handling_unit and report.written_by == unit_user
    note = Notification.objects.get(recipient=town_user)
    assert "区交通局" in note.title and note.url == matter.get_absolute_url()
    assert "便道已硬化 800 米" in c.get(matter.get_absolute_url()).content.decode()


def test_an_empty_progress_report_is_refused_in_chinese(client_for, unit_user, matter, walk_to):
    matter = walk_to(matter, Step.ASSIGNED)
    response = client_for(unit_user).post(
        reverse("consultations:progress_create", args=[matter.pk]), {"body": " "}
    )
    assert response.status_code == 400
    assert "请填写办理进展" in response.content.decode()
    assert not UnitProgress.objects.exists()
