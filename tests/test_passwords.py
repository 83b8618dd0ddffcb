"""Passwords beyond the contract scenarios: the config file's ``passwords:`` settings, state
export/import of the hashes, single use of a reset token under concurrency, and the migrate
shape checks that need no server."""

from __future__ import annotations

from pathlib import Path

import pytest
from stytch import B2BClient

from mockserver.domain.passwords.hashing import PasswordHash, check_migrated, verify
from mockserver.errors import StytchError as MockError
from mockserver.pytest_plugin import StytchMock
from mockserver.settings import ConfigError, load_config_file
from tests.support import assert_stytch_error, org_with_member, state_of
from tests.test_concurrency import N, aclient, race

__all__ = ["aclient"]  # the fixture, shared with tests/test_concurrency.py

STRONG = "correct horse battery staple 42"


def test_config_file_sets_a_projects_password_policy(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text(
        "projects:\n"
        "  - project_id: project-test-aaaa\n"
        "    secret: s\n"
        "    passwords: {strength_policy: luds, luds_min_password_length: 12,"
        " cross_org_passwords: true, argon2_memory_kib: 2048}\n"
        "  - project_id: project-test-bbbb\n"
        "    secret: s\n"
    )
    (first, second), _ = load_config_file(path)
    assert first.passwords.strength_policy == "luds"
    assert first.passwords.luds_min_password_length == 12
    assert first.passwords.cross_org_passwords is True
    assert first.passwords.argon2.memory_cost == 2048
    assert second.passwords.strength_policy == "zxcvbn"

    path.write_text(
        "projects:\n  - project_id: project-test-aaaa\n    secret: s\n"
        "    passwords: {strength_policy: rot13}\n"
    )
    with pytest.raises(ConfigError, match="passwords.strength_policy"):
        load_config_file(path)


def test_policy_route_refuses_unknown_fields_and_bad_values(stytch_mock: StytchMock) -> None:
    before = stytch_mock.control("GET", "_mock/password_policy")["password_policy"]
    for body in ({"strength": "luds"}, {"luds_complexity": 5}, {"lock_threshold": "10"}):
        assert_stytch_error(stytch_mock.request("POST", "_mock/password_policy", body), 400)
    assert stytch_mock.control("GET", "_mock/password_policy")["password_policy"] == before
    changed = stytch_mock.set_password_policy(luds_complexity=2)
    assert {**before, "luds_complexity": 2} == changed
    stytch_mock.reset()
    assert stytch_mock.control("GET", "_mock/password_policy")["password_policy"] == before


def _member_with_password(stytch_mock: StytchMock) -> tuple[object, object]:
    org, member = org_with_member(stytch_mock, "ada@acme.co", organization_slug="acme")
    client = stytch_mock.client
    client.passwords.email.reset_start(
        organization_id=org.organization_id, email_address="ada@acme.co"
    )
    client.passwords.email.reset(
        password_reset_token=stytch_mock.outbox.latest_token("ada@acme.co"), password=STRONG
    )
    return org, member


def test_state_round_trip_keeps_passwords(stytch_mock: StytchMock) -> None:
    org, _ = _member_with_password(stytch_mock)
    saved = state_of(stytch_mock)
    [record] = saved["member_passwords"]
    assert record["hash_type"] == "argon_2id" and record["hash"].startswith("$argon2id$")
    stytch_mock.reset()
    stytch_mock.control("PUT", "_mock/state", {"state": saved})
    signed_in = stytch_mock.client.passwords.authenticate(
        organization_id=org.organization_id, email_address="ada@acme.co", password=STRONG
    )
    assert signed_in.member_authenticated is True

    broken = {**saved, "member_passwords": [{**record, "member_id": "member-test-nobody"}]}
    resp = stytch_mock.request("PUT", "_mock/state", {"state": broken})
    assert_stytch_error(resp, 400, "bad_request")
    assert "unknown member" in resp.json["error_message"]


async def test_a_reset_token_raced_50_times_sets_the_password_once(
    stytch_mock: StytchMock, aclient: B2BClient
) -> None:
    org, _ = org_with_member(stytch_mock, "bo@acme.co", organization_slug="acme")
    await aclient.passwords.email.reset_start_async(
        organization_id=org.organization_id, email_address="bo@acme.co"
    )
    token = stytch_mock.outbox.latest_token("bo@acme.co")

    wins, errors = await race(
        lambda: aclient.passwords.email.reset_async(password_reset_token=token, password=STRONG)
    )

    assert len(wins) == 1 and wins[0].member_authenticated is True
    assert errors == {(401, "unable_to_auth_password_reset_token"): N - 1}
    assert len(state_of(stytch_mock)["sessions"]) == 1


@pytest.mark.parametrize(
    ("hash_type", "value", "configs", "error_type"),
    [
        ("argon_2id", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", {}, "invalid_hash"),
        ("argon_2id", "ab" * 16, {}, "invalid_hash"),
        (
            "argon_2id",
            "ab" * 16,
            {
                "argon_2_config": {
                    "salt": "",
                    "iteration_amount": 1,
                    "memory": 64,
                    "threads": 1,
                    "key_length": 16,
                }
            },
            "invalid_argon_2_salt",
        ),
        (
            "scrypt",
            "AAAA",
            {
                "scrypt_config": {
                    "salt": "c2FsdA==",
                    "n_parameter": 1000,
                    "r_parameter": 8,
                    "p_parameter": 1,
                    "key_length": 3,
                }
            },
            "invalid_scrypt_n_parameter",
        ),
        (
            "scrypt",
            "AAAA",
            {
                "scrypt_config": {
                    "salt": "c2FsdA==",
                    "n_parameter": 1024,
                    "r_parameter": 8,
                    "p_parameter": 1,
                    "key_length": 32,
                }
            },
            "scrypt_key_length_mismatch",
        ),
        (
            "pbkdf_2",
            "AAAA",
            {
                "pbkdf_2_config": {
                    "salt": "c2FsdA==",
                    "iteration_amount": 1,
                    "key_length": 3,
                    "algorithm": "md5",
                }
            },
            "invalid_pbkdf_2_algorithm",
        ),
        ("bcrypt", "$2b$99$" + "a" * 53, {}, "invalid_bcrypt_cost"),
        ("md_5", "", {}, "invalid_hash"),
    ],
)
def test_migrate_shape_checks(hash_type, value, configs, error_type) -> None:
    with pytest.raises(MockError) as caught:
        check_migrated(hash_type, value, configs)
    assert (caught.value.status_code, caught.value.error_type) == (400, error_type)


def test_salted_digests_are_case_insensitive_and_check_the_salts() -> None:
    import hashlib

    digest = hashlib.sha1(b"pre" + STRONG.encode() + b"post").hexdigest().upper()
    stored = check_migrated(
        "sha_1", digest, {"sha_1_config": {"prepend_salt": "pre", "append_salt": "post"}}
    )
    assert verify(stored, STRONG)
    assert not verify(PasswordHash("sha_1", stored.hash, {"prepend_salt": "pre"}), STRONG)


def test_argon2i_reference_vector_verifies() -> None:
    """The Argon2 reference implementation's README example ("password", salt "somesalt",
    t=2, m=64 MiB, p=4), migrated as its encoded form."""
    encoded = "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
    stored = check_migrated("argon_2i", encoded, {})
    assert verify(stored, "password")
