"""Two clerks recording the same move on one report at the same moment, on PostgreSQL's row
locks: exactly one wins and the report's history holds one move."""

import threading

import pytest
from django.db import connection

from cppcc.workflow import WorkflowError
from proposals import opinion_workflow as wf
from proposals.models import OpinionAdoption, OpinionReport


def race(pk: int, people, move) -> list:
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)

    def click(i, person):
        try:
            loaded = OpinionReport.objects.get(pk=pk)
            barrier.wait(timeout=10)
            move(loaded, person)
            outcomes[i] = "won"
        except WorkflowError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_adoption_of_one_level_has_one_winner(
    require_postgres, member_user, office_user, admin_user
):
    report = wf.report_submit(
        by=member_user, title="关于饮水的建议", situation="断水", suggestion="延伸管网"
    )
    wf.report_edit(report, by=office_user, edited_title="饮水", edited_text="正文")
    wf.report_forward(report, by=office_user, forwarded_to="市政协")
    outcomes = race(
        report.pk,
        [office_user, admin_user, office_user],
        lambda r, by: wf.report_adopt(r, by=by, level="district", source="区第3期"),
    )
    assert outcomes.count("won") == 1, outcomes
    assert all(isinstance(o, WorkflowError) for o in outcomes if o != "won")
    assert OpinionAdoption.objects.filter(report=report).count() == 1
