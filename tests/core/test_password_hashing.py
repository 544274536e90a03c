"""Passwords are stored as Argon2id with the configured parameters; older PBKDF2 hashes still sign in and are
rehashed (the production hasher list; the rest of the suite uses MD5 for speed)."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

from gtmos.settings import base

PRODUCTION_HASHERS = override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)


@PRODUCTION_HASHERS
def test_new_password_is_argon2id_with_the_configured_parameters(settings):
    encoded = make_password("correct horse battery")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    settings.PASSWORD_ARGON2_MEMORY_KIB = 8192
    assert make_password("correct horse battery").startswith("argon2$argon2id$v=19$m=8192,t=2,p=1$")


@PRODUCTION_HASHERS
@pytest.mark.django_db
def test_a_pbkdf2_hash_signs_in_and_is_upgraded(django_user_model, client):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    user = django_user_model.objects.create(username="old", password=hasher.encode("an old password", hasher.salt()))
    response = client.post("/accounts/login/", {"username": "old", "password": "an old password"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("an old password")
    assert not user.check_password("another password")


@PRODUCTION_HASHERS
def test_a_hash_with_other_parameters_must_update(settings):
    encoded = make_password("correct horse battery")
    hasher = identify_hasher(encoded)
    assert not hasher.must_update(encoded)
    settings.PASSWORD_ARGON2_TIME_COST = 3
    assert hasher.must_update(encoded)
