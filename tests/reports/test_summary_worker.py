"""The yearly summary compiled by a real Celery worker against Redis and PostgreSQL: started
through the API, the worker writes the figures and files the test then reads back."""

import pytest
from django.test import Client

from cppcc.celery import app
from reports.models import SummaryStatus, YearlySummary

from .test_summary import YEAR, county_year, item  # noqa: F401 - the fixture is used by name


@pytest.fixture
def to_worker_queue(real_worker):
    """Sends every task to the worker's own queue (the start enqueues to the default one)."""
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = real_worker.queue
    yield real_worker
    app.conf.task_default_queue = saved


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_compiles_the_summary_started_through_the_api(
    to_worker_queue,
    county_year,  # noqa: F811
    office_user,
):
    real_worker = to_worker_queue
    client = Client()
    client.force_login(office_user)
    response = client.post(
        "/api/v1/summaries/", {"year": YEAR, "scope": "county"}, content_type="application/json"
    )
    assert response.status_code == 202
    row = YearlySummary.objects.get(pk=response.json()[0]["id"])

    def finished():
        row.refresh_from_db()
        return row.status in (SummaryStatus.DONE, SummaryStatus.FAILED)

    assert real_worker.wait_for(finished, timeout=180), "the worker did not compile the summary"
    assert row.status == SummaryStatus.DONE, row.error
    assert item(row, "consultations", "meetings_pre_meeting")["value"] == 3
    assert item(row, "consultations", "funds_wan")["value"] == 150.5
    detail = client.get(f"/api/v1/summaries/{row.pk}/").json()
    assert detail["progress"] == 100 and set(detail["files"]) == {"docx", "xlsx", "pdf"}
