"""A refused CSRF check answers with the site's own Chinese page (CSRF_FAILURE_VIEW), 403."""

from django.test import Client


def test_login_without_csrf_token_gets_the_chinese_page(office_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": office_user.username, "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="csrf-failure"' in html and "页面已过期，请刷新后重试" in html
    assert '<html lang="zh-hans">' in html  # within the site's layout
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_a_logged_in_post_without_token_keeps_the_navigation_and_changes_nothing(office_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    response = client.post("/accounts/logout/")
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html
    assert "退出登录" in html  # the layout's user menu: still logged in
    assert client.get("/reports/office/").status_code == 200


def test_the_page_carries_the_security_headers(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {})
    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
