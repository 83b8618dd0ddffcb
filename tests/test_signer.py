"""Session JWT signing off the event loop (mockserver.signer): the helper process signs exactly
what the loop would have, for the right key, in the right order; and when it is missing or
dies, signing goes on inline instead of failing a request."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from typing import Any

import jwt as pyjwt
import pytest

from mockserver.domain.keys import SigningKey
from mockserver.signer import ProcessSigner

pytestmark = pytest.mark.slow  # the signer helper is a real process

AUDIENCE = "project-test-signer"


def claims(n: int) -> dict[str, Any]:
    return {"aud": [AUDIENCE], "sub": f"member-test-{n}", "n": n, "https://stytch.com/x": {"i": n}}


def verified(token: str, key: SigningKey) -> dict[str, Any]:
    header = pyjwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    return pyjwt.decode(token, key.public_key, algorithms=["RS256"], audience=AUDIENCE)


@pytest.fixture(scope="module")
def keys() -> list[SigningKey]:
    return [SigningKey.generate(), SigningKey.generate()]


@pytest.fixture
async def signer():
    signer = ProcessSigner()
    await signer.start()
    assert signer.running
    yield signer
    await signer.close()


def helper_pid(signer: ProcessSigner) -> int:
    assert signer._transport is not None
    return signer._transport.get_pid()


async def test_the_helper_signs_what_the_loop_would_for_each_key_in_order(
    signer: ProcessSigner, keys: list[SigningKey]
) -> None:
    # 200 JWTs in flight at once, alternating between two keys: each answer must land on its
    # own request (the pipe answers in order) and be signed by that request's key.
    jobs = [(keys[n % 2], claims(n)) for n in range(200)]

    tokens = await asyncio.gather(*(signer.sign(key.unsigned(c)) for key, c in jobs))

    for (key, c), token in zip(jobs, tokens, strict=True):
        assert verified(token, key) == c
        # RS256 (PKCS#1 v1.5) is deterministic: the helper's JWT is the inline one, byte for byte.
        assert token == key.unsigned(c).sign_here()


async def test_an_already_signed_jwt_is_not_sent_again(
    signer: ProcessSigner, keys: list[SigningKey]
) -> None:
    jwt = keys[0].unsigned(claims(1))
    first = await signer.sign(jwt)
    os.kill(helper_pid(signer), signal.SIGSTOP)  # a stopped helper would hang a second send
    try:
        assert await asyncio.wait_for(signer.sign(jwt), 1) == first
    finally:
        os.kill(helper_pid(signer), signal.SIGCONT)


async def test_when_the_helper_dies_pending_and_later_jwts_are_signed_inline(
    signer: ProcessSigner, keys: list[SigningKey], caplog: pytest.LogCaptureFixture
) -> None:
    pid = helper_pid(signer)
    os.kill(pid, signal.SIGSTOP)
    pending = asyncio.ensure_future(signer.sign(keys[0].unsigned(claims(7))))
    await asyncio.sleep(0)  # one turn of the loop: the request is written and queued
    assert len(signer._pending) == 1
    assert not pending.done()  # waiting on the stopped helper

    with caplog.at_level(logging.WARNING, logger="mockserver"):
        os.kill(pid, signal.SIGKILL)
        token = await asyncio.wait_for(pending, 10)
        later = await signer.sign(keys[1].unsigned(claims(8)))

    assert verified(token, keys[0]) == claims(7)
    assert verified(later, keys[1]) == claims(8)
    assert not signer.running
    assert [r.getMessage() for r in caplog.records] == [
        "JWT signer process exited; signing on the event loop"
    ]


async def test_close_stops_the_helper(keys: list[SigningKey]) -> None:
    signer = ProcessSigner()
    await signer.start()
    pid = helper_pid(signer)
    await signer.sign(keys[0].unsigned(claims(1)))

    await signer.close()

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # Signing after close still works, inline.
    assert verified(await signer.sign(keys[0].unsigned(claims(2))), keys[0]) == claims(2)


async def test_a_helper_that_cannot_start_means_signing_inline(
    keys: list[SigningKey], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    signer = ProcessSigner()
    with caplog.at_level(logging.WARNING, logger="mockserver"):
        await signer.start()

    assert not signer.running
    assert "JWT signer process did not start" in caplog.text
    assert verified(await signer.sign(keys[0].unsigned(claims(3))), keys[0]) == claims(3)
    await signer.close()


def test_the_helper_exits_at_end_of_input() -> None:
    # What happens when the server dies without closing it: its end of the pipe closes.
    helper = subprocess.run(
        [sys.executable, "-m", "mockserver.signer"], input=b"", capture_output=True, timeout=30
    )

    assert (helper.returncode, helper.stdout, helper.stderr) == (0, b"", b"")
