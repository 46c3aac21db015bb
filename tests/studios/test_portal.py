import datetime

from django.urls import reverse

from studios import services

from ..factories import UserFactory


def test_member_sees_studio_group_upcoming_activities_and_duty_on_portal(
    client_for, member_user, member_a, gunan_studio, party_group, officer, office_user
):
    ahead = datetime.date.today() + datetime.timedelta(days=5)
    services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "下周茶园夜话", "date": ahead},
        {},
        by=office_user,
    )
    services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "往期夜话", "date": datetime.date(2026, 1, 5)},
        {},
        by=office_user,
    )
    services.assign_duty(gunan_studio, member_a, ahead, by=office_user)

    body = client_for(member_user).get(reverse("portal")).content.decode()

    assert "古南街道委员工作室" in body and "驻室委员" in body
    assert "古南街道委员工作室党小组" in body and "陈祖勋" in body
    assert "下周茶园夜话" in body and "往期夜话" not in body
    assert ahead.strftime("%Y-%m-%d") in body
    assert "style=" not in body


def test_member_without_studio_is_told_so(client_for, db):
    from cppcc.roles import Role

    from ..factories import MemberFactory

    loner = MemberFactory()
    user = UserFactory(username="t-loner", roles=[Role.MEMBER], member=loner)
    body = client_for(user).get(reverse("portal")).content.decode()
    assert "我的工作室" not in body
