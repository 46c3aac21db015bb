"""History panels show the address a change came from to the office and the administrator only
(templates/includes/history.html)."""

import pytest

from cppcc.roles import Role

ADDRESS = "10.9.8.7"


@pytest.fixture
def studio_page(gunan_studio):
    """The 古南 studio with one history row stamped with a staff address."""
    gunan_studio.history.update(history_ip=ADDRESS)
    return f"/studios/{gunan_studio.pk}/"


@pytest.fixture
def own_page(member_a):
    """The member's own record (the one page with a history panel a member may open)."""
    member_a.history.update(history_ip=ADDRESS)
    return f"/members/{member_a.pk}/"


def body(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert "修改记录" in html  # the panel is there, with its entries
    return html


@pytest.mark.parametrize("role", [Role.OFFICE, Role.ADMIN])
def test_office_and_admin_see_the_address(client_for, cast, studio_page, role):
    assert ADDRESS in body(client_for(cast[role]), studio_page)


@pytest.mark.parametrize("role", [Role.TOWN, Role.LEADER])
def test_town_clerks_and_leaders_never_get_the_address(client_for, cast, studio_page, role):
    html = body(client_for(cast[role]), studio_page)
    assert ADDRESS not in html and 'data-testid="history-ip"' not in html


def test_a_member_never_gets_the_address(client_for, member_user, office_user, own_page):
    assert ADDRESS not in body(client_for(member_user), own_page)
    assert ADDRESS in body(client_for(office_user), own_page)


def test_state_moves_keep_their_address_from_town_clerks(client_for, cast, gunan_studio):
    from django.contrib.contenttypes.models import ContentType

    from cppcc.models import Transition

    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(gunan_studio),
        object_id=str(gunan_studio.pk),
        field="level",
        from_state="district",
        to_state="city",
        by=cast[Role.OFFICE],
        ip=ADDRESS,
    )
    url = f"/studios/{gunan_studio.pk}/"
    assert ADDRESS not in body(client_for(cast[Role.TOWN]), url)
    assert ADDRESS in body(client_for(cast[Role.OFFICE]), url)
