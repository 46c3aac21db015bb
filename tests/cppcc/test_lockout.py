"""Lockout per (user name, address) with a higher per-address limit (cppcc.lockout)."""

from django.test import Client

from ..conftest import PASSWORD
from ..factories import UserFactory

LOGIN = "/accounts/login/"
HOME = "/reports/office/"


def login(username, password=PASSWORD, address="10.1.1.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def test_five_wrong_guesses_lock_the_name_at_that_address(office_user):
    for _ in range(5):
        login(office_user.username, "wrong-password", address="203.0.113.9")
    response = login(office_user.username, address="203.0.113.9")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_five_wrong_guesses_from_one_address_do_not_lock_the_owner_out_elsewhere(office_user):
    for _ in range(5):
        login(office_user.username, "wrong-password", address="203.0.113.9")
    assert login(office_user.username, address="10.20.0.5").status_code == 302


def test_colleagues_behind_the_same_address_still_log_in(office_user, leader_user):
    for _ in range(5):
        login(office_user.username, "wrong-password")
    assert login(leader_user.username).status_code == 302


def test_one_address_trying_many_names_is_locked_for_every_name(office_user, settings):
    limit = settings.CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):
        # Never five for one name: only the address count can lock.
        login(f"guess{n}", "wrong-password", address="198.51.100.7")
    response = login(office_user.username, address="198.51.100.7")
    assert response.status_code == 429
    assert login(office_user.username, address="10.20.0.5").status_code == 302


def test_one_failure_short_of_the_address_limit_still_logs_in(office_user, settings):
    for n in range(settings.CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        login(f"guess{n}", "wrong-password", address="198.51.100.7")
    assert login(office_user.username, address="198.51.100.7").status_code == 302


def test_a_successful_login_does_not_reset_the_address_count(office_user, settings, db):
    """A prober holding one valid login must not be able to clear its address's failures."""
    prober = UserFactory(username="prober", roles=["office"])
    limit = settings.CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        login(f"guess{n}", "wrong-password", address="198.51.100.7")
    assert login(prober.username, address="198.51.100.7").status_code == 302
    login("guess-last", "wrong-password", address="198.51.100.7")
    assert login(office_user.username, address="198.51.100.7").status_code == 429


def test_a_successful_login_clears_that_names_own_failures(office_user):
    for _ in range(4):
        login(office_user.username, "wrong-password")
    assert login(office_user.username).status_code == 302
    for _ in range(4):
        login(office_user.username, "wrong-password")
    assert login(office_user.username).status_code == 302
