"""Contract scenarios: Stytch's behaviour, through the official SDK, on two targets.

- ``STYTCH_CONTRACT_TARGET=mock`` (default): the in-process mock.
- ``STYTCH_CONTRACT_TARGET=stytch`` with ``STYTCH_PROJECT_ID`` and ``STYTCH_SECRET``: Stytch's
  Test environment. Without the credentials every scenario is skipped with the reason; an
  unreachable API fails the run at once with a clear message.

Fixtures a scenario uses:

- ``sdk``: the ``B2BClient``; each scenario runs twice, once through the sync methods and once
  through the ``*_async`` ones (``sdk.mode`` says which).
- ``target``: where it runs; ``target.is_mock``.
- ``mock``: the mock's control handle (outbox, clock); a scenario that asks for it is mock-only
  and is skipped on Stytch with the reason.
  A module or test marked ``pytest.mark.mock_only(reason=...)`` is skipped there too.
- ``new_org``: makes an organization with a unique slug and deletes it after the test.
- ``email``: a unique address on a company-looking domain.
- ``made_orgs``: the ids of organizations the scenario made (``new_org`` puts its own there;
  a scenario adds those it made through discovery); each is deleted after the test.
- ``login``: member sessions on either target (``contracts.helpers.Login``).
- ``outbox``: the mock's outbox, or None on real Stytch (for "no email was sent" checks that
  are skipped there rather than the whole scenario).

The helpers the scenarios share (the error assertion, the discovery flow, sandbox values) are in
``contracts/helpers.py``.

Every response body is validated against Stytch's published OpenAPI (``$STYTCH_OPENAPI``);
a mismatch fails the scenario that received it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before anything imports it: plain ``assert`` in the shared helpers reports like in a test.
pytest.register_assert_rewrite("contracts.helpers")

from stytch.core.response_base import StytchError  # noqa: E402

from contracts.helpers import Login, make_login  # noqa: E402
from contracts.recording import Recorder, Scrubber  # noqa: E402
from contracts.support import (  # noqa: E402
    SDK,
    Pacer,
    ResponseChecker,
    Target,
    load_openapi,
    openapi_path,
    remote_url,
    sdk_for,
    target_name,
    unique,
)

MOCK_ONLY = "mock-only: needs the mock's outbox or clock (real Stytch sends real email)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mock_only(reason): runs on the mock target only")


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any] | None:
    path = openapi_path()
    if path is None:
        return None
    if not path.is_file():
        raise pytest.UsageError(f"STYTCH_OPENAPI={path} does not exist")
    return load_openapi(str(path))


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    name = target_name()
    if name == "mock":
        server = request.getfixturevalue("stytch_mock_server")
        from mockserver.pytest_plugin import FIXTURE_PROJECT_ID, FIXTURE_SECRET

        yield Target("mock", server.url, FIXTURE_PROJECT_ID, FIXTURE_SECRET)
        return
    project_id = os.environ.get("STYTCH_PROJECT_ID")
    secret = os.environ.get("STYTCH_SECRET")
    if not (project_id and secret):
        pytest.skip("STYTCH_CONTRACT_TARGET=stytch needs STYTCH_PROJECT_ID and STYTCH_SECRET")
    url = remote_url()
    _check_reachable(url)
    yield Target("stytch", url, project_id, secret, pacer=Pacer())


def _check_reachable(url: str) -> None:
    import requests

    try:
        requests.get(url, timeout=10)
    except requests.RequestException as exc:
        pytest.exit(f"The remote target at {url} is unreachable: {exc}", returncode=3)


@pytest.fixture
def mock(target: Target, request: pytest.FixtureRequest) -> Any:
    """The mock's control handle; skips the scenario on real Stytch."""
    if not target.is_mock:
        pytest.skip(MOCK_ONLY)
    return request.getfixturevalue("stytch_mock")


@pytest.fixture(autouse=True)
def _fresh_mock_state(target: Target, request: pytest.FixtureRequest) -> None:
    """A fresh mock for every scenario; a ``mock_only(reason)`` scenario is skipped on Stytch."""
    if target.is_mock:
        request.getfixturevalue("stytch_mock")
        return
    marker = request.node.get_closest_marker("mock_only")
    if marker is not None:
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        pytest.skip(f"mock-only: {reason}")


@pytest.fixture
def checker(
    openapi_spec: dict[str, Any] | None, target: Target, request: pytest.FixtureRequest
) -> Iterator[ResponseChecker]:
    checker = ResponseChecker(openapi_spec)
    record_dir = os.environ.get("STYTCH_CONTRACT_RECORD")
    recorder = None
    if record_dir:
        scrubber = Scrubber({target.project_id: "project-id", target.secret: "secret"})
        recorder = Recorder(request.node.nodeid, target.name, scrubber)
        checker.listener = recorder
    yield checker
    if recorder is not None and recorder.exchanges:
        recorder.write(Path(record_dir))
    if checker.problems:
        pytest.fail(
            "responses that do not match Stytch's published OpenAPI:\n  "
            + "\n  ".join(checker.problems)
        )


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest, target: Target, checker: ResponseChecker) -> Iterator[SDK]:
    with sdk_for(target, request.param, checker) as client:
        yield client


@pytest.fixture
def new_org(sdk: SDK, made_orgs: list[str]) -> Callable[..., Any]:
    """``new_org(**settings)`` -> a new Organization with a unique slug, deleted afterwards
    (through ``made_orgs``)."""

    def make(**fields: Any) -> Any:
        slug = fields.pop("organization_slug", None) or unique("contract")
        name = fields.pop("organization_name", None) or f"Contract {slug}"
        resp = sdk.organizations.create(organization_name=name, organization_slug=slug, **fields)
        made_orgs.append(resp.organization.organization_id)
        return resp.organization

    return make


@pytest.fixture
def email() -> Callable[[str], str]:
    """``email("ada")`` -> a unique address on a company-looking domain."""
    return lambda name="user", domain=None: f"{unique(name)}@{domain or 'example.com'}"


@pytest.fixture
def made_orgs(sdk: SDK) -> Iterator[list[str]]:
    """A list to put the ids of organizations a scenario made (``new_org`` and discovery sign-ups
    put theirs here); each is deleted afterwards."""
    made: list[str] = []
    yield made
    for org_id in made:
        try:
            sdk.organizations.delete(organization_id=org_id)
        except StytchError:  # the scenario deleted it already
            pass


@pytest.fixture
def login(sdk: SDK, target: Target, made_orgs: list[str], request: pytest.FixtureRequest) -> Login:
    """Member sessions on either target: ``login.first(**session)``, ``login.again()``."""
    return make_login(sdk, target, made_orgs, request)


@pytest.fixture
def outbox(target: Target, request: pytest.FixtureRequest) -> Any:
    """The mock's outbox, or None on real Stytch (where 'no email was sent' cannot be seen)."""
    return request.getfixturevalue("stytch_mock").outbox if target.is_mock else None
