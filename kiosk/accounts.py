"""Accounts: users, password checks (argon2) with lock-out after repeated failures, and every change to an
account (created, deactivated, password set, logged out), each recorded as an AuditEvent."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import AuditEvent, User, utcnow
from kiosk.roles import Role
from kiosk.text import KioskError, Text

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)

ATTEMPTS_PER_ADDRESS = 20
ATTEMPT_WINDOW_S = 300.0


class AddressLimiter:
    """At most `limit` login attempts per client address in a sliding window."""

    def __init__(self, limit: int = ATTEMPTS_PER_ADDRESS, window: float = ATTEMPT_WINDOW_S) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits[address]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


_hasher = PasswordHasher()
# A hash of a random password, verified against when the user does not exist, so that a login for an unknown
# name takes as long as one for a known name.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0123456789")


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2 parameters (tests use cheaper ones)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password-0123456789")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise KioskError(
            "password_too_short",
            Text(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符", f"The password needs at least {MIN_PASSWORD_LENGTH} characters"),
        )


def create_user(session: Session, username: str, role: str, password: str, display_name: str = "") -> User:
    """Create an account; raises KioskError for a bad name, role, weak password or a name already taken."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,64}", username or ""):
        raise KioskError(
            "bad_username",
            Text("用户名只能包含字母、数字、点、横线和下划线（2–64个）", "A user name has 2–64 letters, digits, dots, dashes or underscores"),
        )
    if role not in set(Role):
        raise KioskError("bad_role", Text("角色应为 staff、auditor 或 admin", "The role must be staff, auditor or admin"))
    check_password_strength(password)
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise KioskError("username_taken", Text("该用户名已存在", "That user name is already taken"), status=409)
    user = User(username=username, role=role, password_hash=hash_password(password), display_name=display_name or username)
    session.add(user)
    session.flush()
    session.add(AuditEvent(actor_id=None, action="user_created", target=f"user:{user.id}", detail={"role": role}))
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


_LOCKED = Text(f"登录失败次数过多，账户已临时锁定，请{LOCKOUT.seconds // 60}分钟后再试",
               f"Too many failed logins: the account is locked for {LOCKOUT.seconds // 60} minutes")


def _wrong(tries_left: int) -> KioskError:
    """The answer to a wrong name or password, with the tries left before the lock (the same for every name)."""
    minutes = LOCKOUT.seconds // 60
    if tries_left <= 0:
        return KioskError("login_locked", _LOCKED, status=429)
    return KioskError(
        "login_failed",
        Text(f"用户名或密码错误。还可尝试 {tries_left} 次，之后锁定 {minutes} 分钟",
             f"Wrong user name or password. {tries_left} more tries before a {minutes}-minute lock"),
        status=401,
    )


@dataclass(frozen=True)
class LockState:
    """Where a name stands with the lock-out: recent failures (newest first) and the lock, if any."""

    failures: tuple[AuditEvent, ...]
    locked_until: dt.datetime | None

    @property
    def tries_left(self) -> int:
        return 0 if self.locked_until else max(0, MAX_FAILED_LOGINS - len(self.failures))


def _target(username: str) -> str:
    return f"name:{(username or '')[:64].lower()}"


def lock_state(session: Session, username: str, user: User | None = None, now: dt.datetime | None = None) -> LockState:
    """The lock-out of a user name, computed the same way whether the name exists or not, from the audit log:
    MAX_FAILED_LOGINS failures, each within LOCKOUT of the next, lock the name for LOCKOUT after the last one.
    For a real account, a successful login, an unlock and a new password start the count afresh."""
    now = now or utcnow()
    window_start = now - 2 * LOCKOUT  # a lock ends LOCKOUT after the last of failures spanning at most LOCKOUT
    clause = AuditEvent.target == _target(username)
    if user is not None:
        clause = clause | ((AuditEvent.actor_id == user.id) & (AuditEvent.target == ""))
        reset = session.scalar(
            select(func.max(AuditEvent.at)).where(
                ((AuditEvent.actor_id == user.id) & (AuditEvent.action == "login"))
                | ((AuditEvent.target == f"user:{user.id}") & AuditEvent.action.in_(("user_unlock", "user_password")))
            )
        )
        if reset is not None:
            window_start = max(window_start, _aware(reset))
    failures = tuple(session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login_failed", clause, AuditEvent.at > window_start)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(MAX_FAILED_LOGINS)
    ))
    times = [_aware(f.at) for f in failures]
    if len(times) >= MAX_FAILED_LOGINS and times[0] - times[-1] <= LOCKOUT and now < times[0] + LOCKOUT:
        return LockState(failures, times[0] + LOCKOUT)
    recent = tuple(f for f, at in zip(failures, times, strict=True) if at > now - LOCKOUT)
    return LockState(recent, None)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def authenticate(session: Session, username: str, password: str, remote_addr: str = "") -> User:
    """The active user with this name and password; otherwise KioskError (the same message, with the same count
    of tries left, whether the name or the password was wrong, or the name does not exist). After
    MAX_FAILED_LOGINS failures the name is locked for LOCKOUT (see lock_state)."""
    username = username or ""
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    now = utcnow()
    real = user if user is not None and user.active else None
    state = lock_state(session, username, real, now)
    actor_id = real.id if real is not None else None
    target = "" if real is not None else _target(username)
    if state.locked_until is not None:
        session.add(AuditEvent(actor_id=actor_id, action="login_locked", target=target, remote_addr=remote_addr))
        raise KioskError("login_locked", _LOCKED, status=429)
    try:
        _hasher.verify(real.password_hash if real is not None else _DUMMY_HASH, password or "")
        ok = real is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        session.add(AuditEvent(actor_id=actor_id, action="login_failed", target=target, remote_addr=remote_addr))
        raise _wrong(MAX_FAILED_LOGINS - len(state.failures) - 1) from None
    assert real is not None
    if _hasher.check_needs_rehash(real.password_hash):
        real.password_hash = hash_password(password)
    session.add(AuditEvent(actor_id=real.id, action="login", remote_addr=remote_addr))
    return real


def unlock(session: Session, admin: User, user: User, remote_addr: str = "") -> None:
    """An admin lifts a lock-out: the user may try again at once, with the full number of tries (lock_state
    counts only the failures after this event)."""
    session.add(AuditEvent(actor_id=admin.id, action="user_unlock", target=f"user:{user.id}", remote_addr=remote_addr))


def record_rate_limited(session: Session, remote_addr: str) -> None:
    """A client address made too many login attempts (the login page refused it without checking)."""
    session.add(AuditEvent(action="login_rate_limited", remote_addr=remote_addr))


def log_out(session: Session, user: User, remote_addr: str = "") -> None:
    """End every session of `user`: copies of the session cookie kept elsewhere stop working too."""
    user.session_epoch += 1
    session.add(AuditEvent(actor_id=user.id, action="logout", remote_addr=remote_addr))


def admin_create_user(session: Session, admin: User, username: str, role: str, password: str, display_name: str = "",
                      remote_addr: str = "") -> User:
    """An admin creates an account (see create_user for what is refused)."""
    user = create_user(session, username, role, password, display_name[:100])
    session.add(AuditEvent(actor_id=admin.id, action="user_created_by_admin", target=f"user:{user.id}",
                           remote_addr=remote_addr))
    return user


def set_active(session: Session, admin: User, user: User, active: bool, remote_addr: str = "") -> None:
    """An admin deactivates or reactivates an account; nobody deactivates their own."""
    if user.id == admin.id:
        raise KioskError("self_deactivate", Text("不能停用自己的账户", "You cannot deactivate your own account"))
    user.active = active
    if not active:
        user.session_epoch += 1  # its sessions end for good: reactivating the account does not revive them
    session.add(AuditEvent(actor_id=admin.id, action="user_activate" if active else "user_deactivate",
                           target=f"user:{user.id}", remote_addr=remote_addr))


def set_password(session: Session, admin: User, user: User, password: str, remote_addr: str = "") -> None:
    """An admin sets a new password: the lock-out is lifted and sessions opened with the old password end."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    session.add(AuditEvent(actor_id=admin.id, action="user_password", target=f"user:{user.id}", remote_addr=remote_addr))


def list_users(session: Session) -> list[User]:
    """Every account, by user name (the admins' list)."""
    return list(session.scalars(select(User).order_by(User.username)))
