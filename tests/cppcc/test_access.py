"""The access rules across apps: a forbidden object answers 404, never its data."""

from django.urls import reverse

from studios.models import Problem


def test_town_clerk_cannot_open_another_towns_studio(client_for, other_town_user, gunan_studio):
    response = client_for(other_town_user).get(reverse("studios:detail", args=[gunan_studio.pk]))
    assert response.status_code == 404
    assert "古南街道委员工作室" not in response.content.decode()


def test_town_clerk_opens_their_own_towns_studio(client_for, town_user, gunan_studio):
    assert (
        client_for(town_user).get(reverse("studios:detail", args=[gunan_studio.pk])).status_code
        == 200
    )


def test_town_clerk_cannot_open_another_towns_problem(client_for, other_town_user, gunan_studio):
    problem = Problem.objects.create(
        studio=gunan_studio, title="春光村路灯不亮", raised_by="村民", raised_on="2026-02-01"
    )
    response = client_for(other_town_user).get(reverse("studios:problem_detail", args=[problem.pk]))
    assert response.status_code == 404


def test_town_clerk_cannot_open_a_member_of_another_town(client_for, other_town_user, member_a):
    response = client_for(other_town_user).get(reverse("members:detail", args=[member_a.pk]))
    assert response.status_code == 404
    assert "张古南" not in response.content.decode()


def test_member_cannot_open_another_members_page(client_for, member_user, member_b):
    response = client_for(member_user).get(reverse("members:detail", args=[member_b.pk]))
    assert response.status_code == 404
    assert "李东溪" not in response.content.decode()


def test_member_cannot_read_another_member_through_the_api(client_for, member_user, member_b):
    client = client_for(member_user)
    assert client.get(f"/api/v1/members/{member_b.pk}/").status_code == 404
    names = [row["name"] for row in client.get("/api/v1/members/").json()["results"]]
    assert names == ["张古南"]


def test_handling_unit_sees_no_member_and_no_studio(client_for, unit_user, member_a, gunan_studio):
    client = client_for(unit_user)
    assert client.get("/api/v1/members/").json()["count"] == 0
    assert client.get("/api/v1/studios/").json()["count"] == 0
    assert client.get(reverse("studios:detail", args=[gunan_studio.pk])).status_code in (403, 404)
