import datetime

from django.core import mail

from cppcc.models import Notification
from cppcc.notifications import notify


def test_notify_puts_a_note_in_the_inbox_and_the_bell_counts_it(client_for, office_user):
    notify(
        office_user,
        "您有一条新的民生问题待办",
        "古南街道春光村反映道路破损",
        url="/reports/office/",
    )
    client = client_for(office_user)
    html = client.get("/reports/office/").content.decode()
    assert 'data-testid="unread-count">1<' in html
    inbox = client.get("/inbox/").content.decode()
    assert "您有一条新的民生问题待办" in inbox


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, office_user):
    note = notify(office_user, "标题", url="/reports/office/")
    response = client_for(office_user).get(f"/inbox/{note.pk}/")
    assert response.status_code == 302 and response.url == "/reports/office/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_clears_the_bell(client_for, office_user):
    notify(office_user, "一")
    notify(office_user, "二")
    client = client_for(office_user)
    client.post("/inbox/read/")
    assert Notification.objects.filter(recipient=office_user, read_at__isnull=True).count() == 0
    assert "unread-count" not in client.get("/reports/office/").content.decode()


def test_a_user_cannot_open_someone_elses_notification(client_for, office_user, leader_user):
    note = notify(office_user, "仅本人可见")
    assert client_for(leader_user).get(f"/inbox/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_notify_emails_after_commit_when_the_user_has_an_address(
    office_user, django_capture_on_commit_callbacks, eager_celery
):
    office_user.email = "office@example.cn"
    office_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(office_user, "请审核委员信息修改申请", "张三提交了手机号修改")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "【政协履职】请审核委员信息修改申请"
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_notify_sends_no_email_without_an_address(
    leader_user, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(leader_user, "无邮箱")
    assert mail.outbox == []


def test_email_task_is_safe_to_run_twice(
    office_user, django_capture_on_commit_callbacks, eager_celery
):
    from cppcc.tasks import send_notification_email

    office_user.email = "office@example.cn"
    office_user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(office_user, "一次")
    assert send_notification_email(note.pk) is False
    assert len(mail.outbox) == 1


def test_a_missing_value_reads_as_undecided_never_none(office_user):
    note = notify(
        office_user,
        "新交办议题：%(title)s",
        "办理期限 %(deadline)s，联系人 %(contact)s，交办日期 %(on)s。",
        values={"title": "荷塘", "deadline": None, "contact": "", "on": datetime.date(2026, 3, 5)},
    )
    assert note.title == "新交办议题：荷塘"
    assert note.body == "办理期限 未定，联系人 未定，交办日期 2026-03-05。"


def test_units_told_of_a_matter_without_a_deadline_read_undecided(
    office_user, unit_user, gunan, member_a
):
    from consultations import services, workflow
    from consultations.models import MatterUnit

    matter = services.create_matter(
        gunan, {"title": "春光村道路硬化", "year": 2026}, [member_a], by=office_user
    )
    MatterUnit.objects.create(matter=matter, unit=unit_user.handling_unit, role="lead")
    assert matter.deadline is None
    workflow.tell_units_assigned(matter)
    note = Notification.objects.get(recipient=unit_user)
    assert "None" not in note.body and "办理期限 未定" in note.body
