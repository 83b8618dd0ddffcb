"""One-time codes, TOTP steps and recovery codes stay single use under 50 concurrent attempts
(async SDK, asyncio.gather)."""

from __future__ import annotations

from typing import Any

from stytch import B2BClient

from mockserver.pytest_plugin import StytchMock
from tests.support import state_of
from tests.test_concurrency import N, aclient, race  # noqa: F401  (aclient is a fixture)

PHONE = "+15555550100"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def member_with_session(stytch_mock: StytchMock) -> tuple[Any, Any]:
    """An organization (MFA optional) and a logged-in member's magic-link response."""
    client = stytch_mock.client
    org = client.organizations.create(
        organization_name="Acme", organization_slug="acme", email_allowed_domains=["acme.com"]
    ).organization
    client.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address="ada@acme.com"
    )
    token = stytch_mock.outbox.latest_token("ada@acme.com")
    return org, client.magic_links.authenticate(magic_links_token=token)


async def test_an_sms_code_raced_50_times_succeeds_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
) -> None:
    org, login = member_with_session(stytch_mock)
    stytch_mock.client.otps.sms.send(
        organization_id=org.organization_id,
        member_id=login.member_id,
        mfa_phone_number=PHONE,
        session_token=login.session_token,
    )
    code = stytch_mock.outbox.latest_code(PHONE)

    wins, errors = await race(
        lambda: aclient.otps.sms.authenticate_async(
            organization_id=org.organization_id,
            member_id=login.member_id,
            code=code,
            session_token=login.session_token,
        )
    )

    assert len(wins) == 1
    assert [f.type.value for f in wins[0].member_session.authentication_factors] == [
        "magic_link",
        "otp",
    ]
    assert errors == {(401, "unable_to_auth_otp_code"): N - 1}


async def test_an_intermediate_session_raced_50_times_completes_mfa_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
) -> None:
    org, login = member_with_session(stytch_mock)
    client = stytch_mock.client
    client.organizations.update(organization_id=org.organization_id, mfa_policy="REQUIRED_FOR_ALL")
    client.magic_links.email.login_or_signup(
        organization_id=org.organization_id, email_address="ada@acme.com"
    )
    first = client.magic_links.authenticate(
        magic_links_token=stytch_mock.outbox.latest_token("ada@acme.com")
    )
    client.otps.sms.send(
        organization_id=org.organization_id,
        member_id=first.member_id,
        mfa_phone_number=PHONE,
        intermediate_session_token=first.intermediate_session_token,
    )
    code = stytch_mock.outbox.latest_code(PHONE)

    wins, errors = await race(
        lambda: aclient.otps.sms.authenticate_async(
            organization_id=org.organization_id,
            member_id=first.member_id,
            code=code,
            intermediate_session_token=first.intermediate_session_token,
        )
    )

    assert len(wins) == 1
    assert errors == {(404, "intermediate_session_not_found"): N - 1}
    sessions = client.sessions.get(
        organization_id=org.organization_id, member_id=first.member_id
    ).member_sessions
    assert len(sessions) == 2  # the first login's and the MFA one


async def test_a_totp_code_raced_50_times_succeeds_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
) -> None:
    org, login = member_with_session(stytch_mock)
    stytch_mock.client.totps.migrate(
        organization_id=org.organization_id,
        member_id=login.member_id,
        secret=SECRET,
        recovery_codes=[],
    )
    code = stytch_mock.totp_code(SECRET)

    wins, errors = await race(
        lambda: aclient.totps.authenticate_async(
            organization_id=org.organization_id,
            member_id=login.member_id,
            code=code,
            session_token=login.session_token,
        )
    )

    assert len(wins) == 1
    assert errors == {(401, "totp_code_already_authenticated"): N - 1}


async def test_a_recovery_code_raced_50_times_succeeds_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
) -> None:
    org, login = member_with_session(stytch_mock)
    migrated = stytch_mock.client.totps.migrate(
        organization_id=org.organization_id,
        member_id=login.member_id,
        secret=SECRET,
        recovery_codes=[],
    )
    assert len(migrated.recovery_codes) == 10  # minted when none are given
    code = migrated.recovery_codes[0]

    wins, errors = await race(
        lambda: aclient.recovery_codes.recover_async(
            organization_id=org.organization_id,
            member_id=login.member_id,
            recovery_code=code,
            session_token=login.session_token,
        )
    )

    assert [w.recovery_codes_remaining for w in wins] == [9]
    assert errors == {(401, "unable_to_authenticate_recovery_code"): N - 1}


async def test_an_email_code_raced_50_times_succeeds_once(
    stytch_mock: StytchMock,
    aclient: B2BClient,  # noqa: F811
) -> None:
    org, login = member_with_session(stytch_mock)
    stytch_mock.client.otps.email.login_or_signup(
        organization_id=org.organization_id, email_address="ada@acme.com"
    )
    code = stytch_mock.outbox.latest_code("ada@acme.com")

    wins, errors = await race(
        lambda: aclient.otps.email.authenticate_async(
            organization_id=org.organization_id, email_address="ada@acme.com", code=code
        )
    )

    assert len(wins) == 1 and wins[0].member_authenticated is True
    assert errors == {(401, "unable_to_auth_otp_code"): N - 1}


def test_deleting_a_member_or_its_organization_drops_its_codes(stytch_mock: StytchMock) -> None:
    org, login = member_with_session(stytch_mock)
    client = stytch_mock.client
    client.otps.sms.send(
        organization_id=org.organization_id,
        member_id=login.member_id,
        mfa_phone_number=PHONE,
        session_token=login.session_token,
    )
    client.totps.migrate(
        organization_id=org.organization_id,
        member_id=login.member_id,
        secret=SECRET,
        recovery_codes=[],
    )
    state = state_of(stytch_mock)
    assert len(state["one_time_codes"]) == 1 and len(state["totp_registrations"]) == 1

    client.organizations.members.delete(
        organization_id=org.organization_id, member_id=login.member_id
    )
    state = state_of(stytch_mock)
    assert state["one_time_codes"] == [] and len(state["totp_registrations"]) == 1

    client.organizations.delete(organization_id=org.organization_id)
    state = state_of(stytch_mock)
    assert state["one_time_codes"] == [] and state["totp_registrations"] == []
