"""Who may open and change which member: scoping is 404, read-only roles get 403 on writes."""

import pytest

from members.models import Member


def test_town_clerk_sees_only_their_towns_members(member_a, member_b, town_user, client_for):
    c = client_for(town_user)
    html = c.get("/members/").content.decode()
    assert member_a.name in html and member_b.name not in html
    assert c.get(f"/members/{member_a.pk}/").status_code == 200
    names = [m["name"] for m in c.get("/api/v1/members/").json()["results"]]
    assert names == [member_a.name]


def test_town_clerk_cannot_open_a_member_of_another_town(member_b, town_user, client_for):
    c = client_for(town_user)
    assert c.get(f"/members/{member_b.pk}/").status_code == 404
    assert c.get(f"/api/v1/members/{member_b.pk}/").status_code == 404


def test_member_cannot_open_another_member(member_a, member_b, member_user, client_for):
    c = client_for(member_user)
    assert c.get(f"/members/{member_b.pk}/").status_code == 404
    assert c.get(f"/api/v1/members/{member_b.pk}/").status_code == 404
    assert c.get(f"/members/{member_a.pk}/").status_code == 200
    assert [m["id"] for m in c.get("/api/v1/members/").json()["results"]] == [member_a.pk]


def test_unit_sees_no_members(member_a, unit_user, client_for):
    c = client_for(unit_user)
    assert c.get("/members/").status_code == 403
    assert c.get(f"/members/{member_a.pk}/").status_code == 404
    assert c.get("/api/v1/members/").json()["count"] == 0


@pytest.mark.parametrize("who", ["leader_user", "town_user"])
def test_read_only_roles_cannot_change_members(request, who, member_a, client_for):
    c = client_for(request.getfixturevalue(who))
    assert c.get(f"/members/{member_a.pk}/").status_code == 200
    assert c.get(f"/members/{member_a.pk}/edit/").status_code == 403
    assert c.get("/members/new/").status_code == 403
    assert c.post(f"/members/{member_a.pk}/login/").status_code == 403
    assert c.post("/members/bulk/", {"action": "leave", "ids": [member_a.pk]}).status_code == 403
    response = c.patch(
        f"/api/v1/members/{member_a.pk}/", {"employer": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    member_a.refresh_from_db()
    assert member_a.employer == "" and member_a.status == "active"


def test_a_member_deleted_through_the_api_goes_to_the_trash_not_away(
    member_a, office_user, client_for
):
    response = client_for(office_user).delete(f"/api/v1/members/{member_a.pk}/")
    assert response.status_code == 204
    assert not Member.objects.filter(pk=member_a.pk).exists()
    assert Member.all_objects.get(pk=member_a.pk).deleted_at is not None


def test_sector_in_use_cannot_be_deleted(member_a, office_user, client_for):
    response = client_for(office_user).delete(f"/api/v1/sectors/{member_a.sector_id}/")
    assert response.status_code == 400
    assert "不能删除" in str(response.json())


def test_logged_out_visitor_is_sent_to_login(client, member_a):
    assert client.get("/members/").status_code == 302
    assert client.get(f"/members/{member_a.pk}/").status_code == 302
    assert client.get("/api/v1/members/").status_code in (401, 403)
