"""Member locks (mockserver.domain.locks) as units: one run of failures and one lock per member
whichever check counts, the kinds that are off, and the sweep that lifts an expired lock; and,
through a server, that the periodic sweep lifts it as real time passes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from stytch.core.response_base import StytchError as SDKError

from mockserver.clock import Clock
from mockserver.domain import locks
from mockserver.domain.entities import Member, MemberStatus
from mockserver.domain.members import add_member, delete_member
from mockserver.domain.organizations import create_organization
from mockserver.domain.project import Project, ProjectConfig
from mockserver.domain.state import export_state, import_state
from mockserver.errors import StytchError
from mockserver.pytest_plugin import StytchMock
from mockserver.server import MockServer
from tests.support import PROJECT_A, MovableTime, assert_sdk_error, handle

PASSWORDS = locks.Threshold(3, 60)
CODES = locks.Threshold(3, 5)
OFF = locks.Threshold(0, 60)


class FakeTime:
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def source() -> FakeTime:
    return FakeTime(1e9)


@pytest.fixture
def project(source: FakeTime) -> Project:
    return Project(ProjectConfig("project-test-locks", "secret"), clock=Clock(source))


@pytest.fixture
def member(project: Project) -> Member:
    org = create_organization(project, organization_name="Locks Co", organization_slug="locks")
    return add_member(project, org, "ada@locks.example", status=MemberStatus.ACTIVE)


def right() -> str:
    return "ok"


def fail(project: Project, member: Member, threshold: locks.Threshold, status: int = 401) -> int:
    """One check refused with ``status``; the status the caller gets."""

    def attempt() -> None:
        raise StytchError(status, "some_error", "Refused.")

    with pytest.raises(StytchError) as caught:
        locks.check(project, member, threshold, attempt)
    return caught.value.status_code


def test_one_run_of_failures_across_kinds_of_check(project: Project, member: Member) -> None:
    assert [fail(project, member, PASSWORDS), fail(project, member, PASSWORDS)] == [401, 401]
    assert fail(project, member, CODES, 404) == 404  # the third failure locks, for 5 minutes
    assert member.is_locked is True
    assert member.lock_created_at == project.now()
    assert member.lock_expires_at == project.now() + timedelta(minutes=5)
    for threshold in (PASSWORDS, CODES, OFF):
        assert fail(project, member, threshold) == 429
    with pytest.raises(StytchError) as caught:
        locks.check(project, member, PASSWORDS, right)
    assert (caught.value.status_code, caught.value.error_type) == (429, "user_lock_limit_reached")


def test_a_success_or_a_new_password_ends_the_run(project: Project, member: Member) -> None:
    fail(project, member, PASSWORDS)
    fail(project, member, PASSWORDS)
    assert locks.check(project, member, CODES, right) == "ok"
    fail(project, member, PASSWORDS)
    fail(project, member, PASSWORDS)
    locks.new_credential(project, member)
    fail(project, member, PASSWORDS)
    fail(project, member, PASSWORDS)
    assert member.is_locked is False


def test_kinds_that_are_off_and_malformed_credentials_do_not_count(
    project: Project, member: Member
) -> None:
    for _ in range(5):
        fail(project, member, OFF)
        fail(project, member, PASSWORDS, 400)
    assert member.is_locked is False
    fail(project, member, PASSWORDS)
    fail(project, member, PASSWORDS)
    assert member.is_locked is False


def lock(project: Project, member: Member) -> None:
    for _ in range(3):
        fail(project, member, PASSWORDS)
    assert member.is_locked is True


def test_the_sweep_lifts_a_lock_when_it_expires(
    project: Project, member: Member, source: FakeTime
) -> None:
    lock(project, member)
    project.sweep(timedelta(minutes=30))
    assert member.is_locked is True
    source.value += 3599
    project.sweep(timedelta(minutes=30))
    assert member.is_locked is True
    source.value += 1  # at lock_expires_at, not `keep` later
    assert project.sweep(timedelta(minutes=30)) == 0  # nothing forgotten
    assert (member.is_locked, member.lock_created_at, member.lock_expires_at) == (False, None, None)
    assert locks.check(project, member, PASSWORDS, right) == "ok"


def test_a_check_lifts_an_expired_lock_the_sweep_has_not_reached(
    project: Project, member: Member, source: FakeTime
) -> None:
    lock(project, member)
    source.value += 3600
    assert locks.check(project, member, PASSWORDS, right) == "ok"
    assert member.is_locked is False
    lock(project, member)  # locked again: the first lock's turn in the sweep lifts nothing
    project.sweep(timedelta(0))
    assert member.is_locked is True
    source.value += 3600
    project.sweep(timedelta(0))
    assert member.is_locked is False


def test_an_imported_lock_is_swept_and_a_lock_without_expiry_is_refused(
    project: Project, member: Member, source: FakeTime
) -> None:
    lock(project, member)
    fresh = Project(ProjectConfig("project-test-locks", "secret"), clock=project.clock)
    document = export_state(project)
    import_state(fresh, document)
    imported = fresh.members.get_by_id(member.member_id)
    assert imported.is_locked is True
    source.value += 3600
    fresh.sweep(timedelta(0))
    assert imported.is_locked is False

    [record] = document["members"]
    naive = {"lock_expires_at": record["lock_expires_at"].rstrip("Z")}
    for bad in ({"lock_expires_at": None}, {"is_locked": False}, naive):
        broken = {**document, "members": [{**record, **bad}]}
        with pytest.raises(StytchError) as caught:
            import_state(fresh, broken)
        assert caught.value.status_code == 400
    assert fresh.members.get_by_id(member.member_id).is_locked is False  # unchanged


def test_deleting_a_member_ends_its_run(project: Project, member: Member) -> None:
    fail(project, member, PASSWORDS)
    fail(project, member, PASSWORDS)
    delete_member(project, member.organization_id, member.member_id)
    fail(project, member, PASSWORDS)
    assert member.is_locked is False


# --- through a server whose time passes without a request --------------------------------


@pytest.fixture(scope="module")
def time_source() -> MovableTime:
    return MovableTime()


@pytest.fixture(scope="module")
def server(time_source: MovableTime) -> Iterator[MockServer]:
    with MockServer([PROJECT_A], clock_source=time_source) as running:
        yield running


@pytest.fixture
def mock(server: MockServer) -> StytchMock:
    mock = handle(server, PROJECT_A)
    mock.reset()
    return mock


def eventually(condition: Callable[[], Any], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.slow  # waits on real time
def test_the_periodic_sweep_lifts_a_lock_as_real_time_passes(
    mock: StytchMock, time_source: MovableTime
) -> None:
    seeded = mock.seed(
        {
            "organizations": [
                {
                    "organization_name": "Locks Co",
                    "organization_slug": "locks-co",
                    "members": [{"email_address": "ada@locks.example", "password": "pw-1"}],
                }
            ]
        }
    )
    [org] = seeded["organizations"]
    [member] = org["members"]
    mock.set_password_policy(lock_threshold=1, lock_minutes=5)
    with pytest.raises(SDKError) as wrong:
        mock.client.passwords.authenticate(
            organization_id=org["organization_id"],
            email_address="ada@locks.example",
            password="pw-2",
        )
    assert_sdk_error(wrong, 401, "unauthorized_credentials")

    def read() -> Any:
        return mock.client.organizations.members.get(
            organization_id=org["organization_id"], member_id=member["member_id"]
        ).member

    assert read().is_locked is True
    time_source.now += 5 * 60  # no request moves the clock: the periodic sweep must see it
    eventually(lambda: read().is_locked is False)
    assert read().lock_expires_at is None
