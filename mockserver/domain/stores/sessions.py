"""The member sessions of a project, by id, token and member; and each session's last JWT."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..entities import MemberSession
from ..keys import SessionJWT
from .base import Store, bad_state

if TYPE_CHECKING:
    from ..project import Project


class Sessions(Store[MemberSession]):
    name = "sessions"
    record = MemberSession

    def __init__(self) -> None:
        self._by_id: dict[str, MemberSession] = {}
        self._by_token: dict[str, str] = {}
        self._by_member: dict[str, dict[str, None]] = {}  # member_id -> {member_session_id}
        # member_session_id -> (claims fingerprint, JWT): see sessions.mint_jwt
        self._jwts: dict[str, tuple[object, SessionJWT]] = {}

    def add(self, session: MemberSession) -> None:
        self._by_id[session.member_session_id] = session
        self._by_token[session.session_token] = session.member_session_id
        self._by_member.setdefault(session.member_id, {})[session.member_session_id] = None

    def forget(self, session: MemberSession) -> None:
        self._by_id.pop(session.member_session_id, None)
        self._by_token.pop(session.session_token, None)
        self._jwts.pop(session.member_session_id, None)
        by_member = self._by_member.get(session.member_id)
        if by_member is not None:
            by_member.pop(session.member_session_id, None)
            if not by_member:
                del self._by_member[session.member_id]

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def find(self, member_session_id: str) -> MemberSession | None:
        return self._by_id.get(member_session_id)

    def get_by_id(self, member_session_id: str) -> MemberSession:
        """By id, for a session the caller already holds."""
        return self._by_id[member_session_id]

    def find_by_token(self, session_token: str) -> MemberSession | None:
        session_id = self._by_token.get(session_token)
        return self._by_id[session_id] if session_id else None

    def of_member(self, member_id: str) -> list[MemberSession]:
        """The member's sessions (expired ones not yet forgotten included), oldest first."""
        return [self._by_id[sid] for sid in self._by_member.get(member_id, ())]

    def last_jwt(self, member_session_id: str, fingerprint: object) -> SessionJWT | None:
        """The JWT last made for the session, if it was made for the same claims."""
        cached = self._jwts.get(member_session_id)
        return cached[1] if cached is not None and cached[0] == fingerprint else None

    def keep_jwt(self, member_session_id: str, fingerprint: object, jwt: SessionJWT) -> None:
        self._jwts[member_session_id] = (fingerprint, jwt)

    def __iter__(self) -> Iterator[MemberSession]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, records: list[MemberSession], project: Project) -> None:
        for session in records:
            member = project.members.find(session.member_id)
            if member is None or member.organization_id != session.organization_id:
                raise bad_state(f"session {session.member_session_id} names an unknown member")
            if session.member_session_id in self._by_id or session.session_token in (
                self._by_token
            ):
                raise bad_state(f"session {session.member_session_id} appears twice")
            self.add(session)
