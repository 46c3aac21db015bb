"""Bad input in list filters is a 400 or an empty list, never a server error, on SQLite and
PostgreSQL alike: years out of range or not numbers, ids beyond 64 bits, dates before 1900."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # beyond 64 bits: SQLite raises OverflowError binding it
BAD_VALUES = {
    "year": ["0", "abc", HUGE, "-1", "10000"],
    "studio": [HUGE, "abc", "-1"],
    "town": [HUGE, "abc"],
    "session": [HUGE, "abc"],
    "term": [HUGE],
    "unit": [HUGE, "abc"],
    "kind": ["<script>"],
    "date_from": ["0001-01-01", "abc", "99999-01-01"],
    "date_to": ["1899-12-31"],
    "raised_from": ["0001-01-01"],
    "page": [HUGE, "abc", "0"],
    "ordering": ["nonexistent"],
}

PAGES = [
    "studios:list",
    "studios:activity_list",
    "studios:activity_list_export",
    "studios:problem_list",
    "studios:party_group_list",
    "studios:contacts",
    "proposals:list",
    "proposals:list_export",
    "proposals:opinion_list",
    "proposals:opinion_list_export",
]
API = [
    "/api/v1/towns/",
    "/api/v1/studios/",
    "/api/v1/party-groups/",
    "/api/v1/activities/",
    "/api/v1/problems/",
    "/api/v1/handling-units/",
    "/api/v1/proposals/",
    "/api/v1/opinion-reports/",
]


def _answers(client, url):
    failures = []
    for name, values in BAD_VALUES.items():
        for value in values:
            response = client.get(url, {name: value})
            if response.status_code not in (200, 400, 404):
                failures.append((name, value, response.status_code))
    return failures


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_answer_bad_filters_without_a_server_error(client_for, office_user, name):
    client = client_for(office_user)
    client.raise_request_exception = False
    assert _answers(client, reverse(name)) == []


@pytest.mark.parametrize("url", API)
def test_api_lists_answer_bad_filters_without_a_server_error(client_for, office_user, url):
    client = client_for(office_user)
    client.raise_request_exception = False
    assert _answers(client, url) == []


@pytest.mark.parametrize("year", ["0", "abc", HUGE])
def test_activity_api_refuses_a_year_without_a_date_with_a_400(client_for, office_user, year):
    response = client_for(office_user).get("/api/v1/activities/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


def test_activity_api_still_filters_by_a_real_year(client_for, office_user):
    assert client_for(office_user).get("/api/v1/activities/", {"year": 2026}).status_code == 200


def test_a_date_before_1900_is_refused_with_a_message_and_nothing_changes(
    client_for, office_user, gunan_studio
):
    from studios.models import Activity

    url = reverse("studios:activity_create", args=[gunan_studio.pk])
    data = {"kind": "courtyard", "date": "0190-05-01", "place": "春光村"}
    response = client_for(office_user).post(url, data)
    assert response.status_code == 200
    assert "1900" in response.content.decode()
    assert not Activity.objects.exists()


def test_text_beyond_its_limit_is_refused_by_the_form():
    from cppcc.validators import TEXT_MAX_LENGTH
    from proposals.unit_forms import GiveBackForm, ReplyForm

    form = ReplyForm({"answer_type": "solved", "text": "长" * (TEXT_MAX_LENGTH + 1)})
    assert not form.is_valid() and "text" in form.errors
    assert not GiveBackForm({"reason": "长" * 1001}).is_valid()  # its own, shorter limit
    assert ReplyForm({"answer_type": "solved", "text": "已解决"}).is_valid()


@pytest.mark.django_db
def test_marking_notifications_read_with_a_bad_id_is_refused_and_marks_nothing(client, office_user):
    from cppcc.models import Notification

    note = Notification.objects.create(recipient=office_user, title="提醒", body="正文")
    client.force_login(office_user)
    response = client.post("/inbox/read/", {"id": "abc"})
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.read_at is None
    assert client.post("/inbox/read/", {"id": str(note.pk)}).status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
