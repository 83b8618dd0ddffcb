"""Recordings of contract runs and the fidelity report (contracts/recording.py,
contracts/tools/remote.py).

A real recording is made once for this module: a few scenarios through the official SDK
against a separate ``stytch-mock`` process, as a user would record Stytch. Then:

- no credential, token, JWT or email reaches the files;
- the report of that recording against the mock itself is empty;
- a hand-edited copy shows each kind of difference the report promises.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts import recording
from contracts.helpers import SANDBOX_TOKEN_OK
from contracts.tools import remote

pytestmark = pytest.mark.slow

SCENARIOS = [
    "contracts/test_organizations.py",
    "contracts/test_magic_links.py::test_sandbox_tokens_authenticate_as_documented",
]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("recording")
    with remote.mock_process() as mock:
        before = remote.organization_ids(mock)
        code = remote.run_pytest(mock, ["-x"], SCENARIOS, STYTCH_CONTRACT_RECORD=str(directory))
        assert code == 0
        # A good citizen: the run made organizations and deleted every one of them.
        assert remote.leftovers(mock, before) == set()
    return directory


def test_the_cleanup_check_finds_an_organization_a_run_left_behind() -> None:
    with remote.mock_process() as mock:
        before = remote.organization_ids(mock)
        made = requests.post(
            mock.url + "v1/b2b/organizations",
            json={"organization_name": "Left behind", "organization_slug": "left-behind"},
            auth=(mock.project_id, mock.secret),
            timeout=30,
        ).json()["organization"]["organization_id"]
        sandbox = requests.post(
            mock.url + "v1/b2b/magic_links/authenticate",
            json={"magic_links_token": SANDBOX_TOKEN_OK},
            auth=(mock.project_id, mock.secret),
            timeout=30,
        )
        assert sandbox.status_code == 200  # Stytch's sandbox organization now exists too
        assert remote.leftovers(mock, before) == {made}


def _documents(directory: Path) -> dict[str, dict[str, Any]]:
    return recording.load(directory)


def test_a_recording_has_one_file_per_scenario_with_every_exchange(recorded: Path) -> None:
    documents = _documents(recorded)
    sandbox = [d for d in documents if "test_sandbox_tokens_authenticate" in d]
    assert len(sandbox) == 2  # sync and async
    exchanges = documents[sandbox[0]]["exchanges"]
    assert [(e["method"], e["path"], e["status"]) for e in exchanges][:4] == [
        ("POST", "/v1/b2b/magic_links/authenticate", 200),
        ("POST", "/v1/b2b/magic_links/authenticate", 200),
        ("POST", "/v1/b2b/magic_links/authenticate", 401),
        ("POST", "/v1/b2b/magic_links/authenticate", 404),
    ]
    assert exchanges[0]["response"]["member"]["status"] == "active"
    assert len(documents) > 20


def test_no_secret_token_or_email_is_written(recorded: Path) -> None:
    project_id, secret = remote.credentials()
    text = "\n".join(p.read_text(encoding="utf-8") for p in recorded.glob("*.json"))
    assert project_id not in text and secret not in text
    assert "sandbox@stytch.com" not in text
    assert "DOYoip3rvIMMW5lgItikFK" not in text  # the sandbox token itself
    assert '"eyJ' not in text  # no JWT
    assert "-test-" not in text.replace("request-id-test", "")  # no Stytch id
    assert "<address-1>@example.com" in text and "<token-1>" in text


def test_placeholders_are_stable_within_a_file() -> None:
    scrubber = recording.Scrubber({"project-test-x": "project-id"})
    member = "member-test-0f1e2d3c-4b5a-4697-8877-665544332211"
    first = scrubber.value(None, {"member_id": member, "email_address": "Ada@Example.com"})
    again = scrubber.value(None, {"path": f"/v1/{member}", "to": "ada@example.com"})
    assert first == {"member_id": "<member-1>", "email_address": "<address-1>@example.com"}
    assert again == {"path": "/v1/<member-1>", "to": "<address-1>@example.com"}
    assert scrubber.text("project-test-x and secret") == "<project-id> and secret"


def test_the_report_of_a_recording_of_the_mock_is_empty(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = remote.fidelity_report(recorded, strict=True, pytest_args=[])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(_documents(recorded))} scenario(s), no difference" in out


def _edited(recorded: Path) -> dict[str, dict[str, Any]]:
    """The recording with one change of each kind, in the sandbox scenario (sync)."""
    documents = copy.deepcopy(_documents(recorded))
    name = next(d for d in documents if "test_sandbox_tokens_authenticate" in d and "sync" in d)
    exchanges = documents[name]["exchanges"]
    ok, used, unknown = exchanges[0], exchanges[2], exchanges[3]
    ok["response"]["member"]["status"] = "pending"  # enum value
    ok["response"]["member"]["is_breakglass"] = "no"  # type
    del ok["response"]["member"]["mfa_enrolled"]  # a field only the mock sends
    ok["response"]["member"]["stytch_only"] = 1  # a field the mock does not send
    used["response"]["error_type"] = "magic_link_expired"  # error type
    unknown["status"] = 400  # status code
    exchanges.append(copy.deepcopy(ok))  # a call the replay does not make
    return documents


def test_a_hand_edited_recording_shows_each_kind_of_difference(recorded: Path) -> None:
    differences = recording.compare(_edited(recorded), _documents(recorded))
    found = {(d.kind, d.detail.split(" ")[0].rstrip(":")) for d in differences}
    assert ("enum", "member.status") in found
    assert ("type", "member.is_breakglass") in found
    assert ("extra", "member.mfa_enrolled") in found  # the replay has it, the recording not
    assert ("missing", "member.stytch_only") in found  # the recording has it, the replay not
    assert any(d.kind == "error_type" and "magic_link_expired" in d.detail for d in differences)
    assert any(d.kind == "status" and d.detail.startswith("400 recorded, 404") for d in differences)
    assert any(d.kind == "calls" for d in differences)
    # Nothing else differs: values that legitimately differ are not reported.
    assert len(differences) == 7, recording.report(differences)


def test_the_report_command_prints_the_differences_by_operation(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = tmp_path / "edited"
    edited.mkdir()
    for name, document in _edited(recorded).items():
        (edited / (recording.file_name(name) + ".json")).write_text(json.dumps(document))
    code = remote.fidelity_report(edited, strict=True, pytest_args=[])
    out = capsys.readouterr().out
    assert code == 1
    assert "7 difference(s)" in out
    assert "POST /v1/b2b/magic_links/authenticate\n" in out
    assert "  enum: member.status: string=pending recorded, string=active" in out
