import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_failures_lock_username_and_ip(client, settings):
    UserFactory(username="rep")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "rep", "password": "wrong"})
    assert response.status_code in (403, 429)
    locked = client.post("/accounts/login/", {"username": "rep", "password": "pw-123456"})
    assert locked.status_code in (403, 429)
    assert "Too many failed sign-ins" in locked.content.decode()


def test_login_page_shows_a_clear_error(client):
    UserFactory(username="rep")
    response = client.post("/accounts/login/", {"username": "rep", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_successful_login_lands_on_home(client):
    UserFactory(username="rep")
    response = client.post("/accounts/login/", {"username": "rep", "password": "pw-123456"})
    assert response.status_code == 302 and response["Location"] == "/"
