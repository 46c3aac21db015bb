"""The API refuses what the forms refuse (cppcc.validators): a date before 1900 and text beyond
the limit answer 400 with the forms' Chinese message and write nothing. And a role that may not
write is refused (403/404) before its input is validated, so a refusal teaches no field rules."""

import datetime

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from rest_framework import serializers

from consultations import services as consultation_services
from consultations.models import ConsultationMeeting, Matter, MeetingKind
from cppcc.validators import TEXT_MAX_LENGTH, LimitsMixin, SerializerLimitsMixin
from proposals.models import OpinionReport, Proposal
from studios import services as studio_services
from studios.models import Activity, ActivityKind, Problem

from .permission_matrix import OPS, ROLES, build_county, codes, matrix_users
from .test_permission_matrix import PROJECT_APPS, REFUSED, op_url

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
TOO_EARLY = "1899-12-31"
DATE_MESSAGE = "日期不能早于 1900 年 1 月 1 日，请检查年份。"
NOVEL = "长" * 100_000


class _TextForm(LimitsMixin, forms.Form):
    text = forms.CharField()


def text_message() -> str:
    """What a page says about the same text: the API must say the same."""
    form = _TextForm({"text": NOVEL})
    assert not form.is_valid()
    return form.errors["text"][0]


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def activity(gunan_studio, office_user):
    return studio_services.record_activity(
        gunan_studio,
        {"kind": ActivityKind.TEA_TALK, "title": "古南夜话", "date": YESTERDAY, "place": "茶园"},
        {},
        by=office_user,
    )


@pytest.fixture
def matter(gunan, member_a, office_user):
    return consultation_services.create_matter(
        gunan, {"title": "春光村荷塘养虾", "year": YESTERDAY.year}, [member_a], by=office_user
    )


@pytest.fixture
def meeting(gunan, office_user):
    return consultation_services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": YESTERDAY, "place": "街道会议室"},
        town=gunan,
        by=office_user,
    )


def test_the_text_message_is_the_forms_message_in_chinese():
    message = text_message()
    assert str(TEXT_MAX_LENGTH) in message and "确保" in message


@pytest.mark.parametrize(
    ("who", "method", "url", "body", "field", "model"),
    [
        (
            "office_user",
            "post",
            "/api/v1/activities/",
            {"studio": "@gunan_studio", "kind": "tea_talk", "date": TOO_EARLY, "title": "夜话"},
            "date",
            Activity,
        ),
        (
            "office_user",
            "post",
            "/api/v1/problems/",
            {
                "studio": "@gunan_studio",
                "title": "路灯不亮",
                "raised_by": "村民",
                "raised_on": TOO_EARLY,
            },
            "raised_on",
            Problem,
        ),
        (
            "office_user",
            "post",
            "/api/v1/meetings/",
            {"kind": "regular", "date": TOO_EARLY, "place": "村委会", "town": "@gunan"},
            "date",
            ConsultationMeeting,
        ),
        (
            "member_user",
            "post",
            "/api/v1/opinion-reports/submit/",
            {
                "title": "噪声",
                "situation": "夜间噪声",
                "suggestion": "限时",
                "submitted_on": TOO_EARLY,
            },
            "submitted_on",
            OpinionReport,
        ),
    ],
)
def test_a_date_before_1900_is_refused_and_nothing_is_written(
    db, request, client_for, who, method, url, body, field, model
):
    body = {
        k: request.getfixturevalue(v[1:]).pk if str(v).startswith("@") else v
        for k, v in body.items()
    }
    before = model._default_manager.count()
    response = send(client_for(request.getfixturevalue(who)), method, url, body)
    assert response.status_code == 400, response.content
    assert response.json()[field] == [DATE_MESSAGE]
    assert model._default_manager.count() == before


@pytest.mark.parametrize(
    ("fixture", "url", "field"),
    [
        ("activity", "/api/v1/activities/{}/", "summary"),
        ("matter", "/api/v1/matters/{}/", "background"),
        ("meeting", "/api/v1/meetings/{}/", "agreed"),
    ],
)
def test_text_over_the_limit_is_refused_on_patch_and_nothing_changes(
    request, client_for, office_user, fixture, url, field
):
    record = request.getfixturevalue(fixture)
    before = type(record)._default_manager.filter(pk=record.pk).values().get()
    response = send(
        client_for(office_user), "patch", url.format(record.pk), {field: NOVEL, "version": 1}
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()[field] == [text_message()]
    assert type(record)._default_manager.filter(pk=record.pk).values().get() == before


def test_a_date_before_1900_is_refused_on_patch(client_for, office_user, activity):
    response = send(
        client_for(office_user),
        "patch",
        f"/api/v1/activities/{activity.pk}/",
        {"date": "0190-05-01", "version": 1},
    )
    assert response.status_code == 400
    assert response.json()["date"] == [DATE_MESSAGE]
    activity.refresh_from_db()
    assert (activity.date, activity.version) == (YESTERDAY, 1)


def test_a_proposal_draft_with_text_over_the_limit_is_refused(client_for, member_user, term):
    response = send(
        client_for(member_user),
        "post",
        "/api/v1/proposals/",
        {"term": term.pk, "title": "关于路灯的提案", "reasons": NOVEL},
    )
    assert response.status_code == 400
    assert response.json()["reasons"] == [text_message()]
    assert not Proposal.objects.exists()


def test_text_at_the_limit_is_accepted(client_for, office_user, matter):
    response = send(
        client_for(office_user),
        "patch",
        f"/api/v1/matters/{matter.pk}/",
        {"background": "长" * TEXT_MAX_LENGTH, "version": 1},
    )
    assert response.status_code == 200, response.content[:300]
    assert len(Matter.objects.get(pk=matter.pk).background) == TEXT_MAX_LENGTH


def test_the_schema_documents_the_text_limit(client_for, office_user):
    schema = client_for(office_user).get("/api/schema/?format=json").json()
    props = schema["components"]["schemas"]["PatchedMatterRequest"]["properties"]
    assert props["background"]["maxLength"] == TEXT_MAX_LENGTH


def test_the_token_endpoint_refuses_an_over_long_password_before_hashing_it(client, office_user):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": office_user.username, "password": NOVEL},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["password"] == [text_message()]


def _project_serializers():
    assert get_resolver().url_patterns  # imports every app's API modules
    pending, seen = list(serializers.Serializer.__subclasses__()), set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            yield cls


def test_every_serializer_with_text_or_dates_has_the_limits():
    bounded = (serializers.CharField, serializers.DateField, serializers.DateTimeField)
    missing = [
        f"{cls.__module__}.{cls.__name__}"
        for cls in _project_serializers()
        if not issubclass(cls, SerializerLimitsMixin)
        and any(not f.read_only and isinstance(f, bounded) for f in cls().fields.values())
    ]
    assert not missing, f"serializers without cppcc.validators.SerializerLimitsMixin: {missing}"


# --- a refused write answers 403/404 before it looks at the input ------------------------------
#
# Validating first would answer 400 to a role that may not write at all, and the 400 tells it
# the field rules (and, for a related field, which ids exist). Every write operation of the
# permission matrix is sent again, by every role it refuses, with a body that cannot pass
# validation: the answer must be the same refusal as with a valid body.


def _garbage(op) -> dict:
    body = op.body or {}
    # Each field gets a value no field type accepts as it stands (an id, a date, a choice or a
    # list); and a field every serializer lacks, for bodies that are empty.
    bad = {key: {"坏": ["值"]} for key in body}
    return {**bad, "version": "坏", "没有这个字段": "x"}


@pytest.fixture
def matrix_county(cast, member_b_user, other_town_user, unit):
    users, other_unit = matrix_users(cast, member_b_user, other_town_user)
    data = build_county(users, unit, other_unit)
    clients = {"anon": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return data, clients


def test_a_refused_write_is_refused_before_its_input_is_validated(matrix_county):
    data, clients = matrix_county
    failures = []
    for op in OPS:
        if op.method == "GET":
            continue
        expected = codes(op.expect)
        url = op_url(op, data)
        for role in ROLES:
            if expected[role] not in REFUSED:
                continue
            with transaction.atomic():
                response = getattr(clients[role], op.method.lower())(
                    url, _garbage(op), content_type="application/json"
                )
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                failures.append(
                    f"{op.method} {op.path} as {role}: {response.status_code}, "
                    f"expected {expected[role]} as with a valid body"
                )
    assert not failures, "\n".join(failures)
