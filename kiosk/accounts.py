"""Accounts: users, password checks (argon2) with lock-out after repeated failures, and every change to an
account (created, deactivated, password set, logged out), each recorded as an AuditEvent."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import defaultdict, deque

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


def authenticate(session: Session, username: str, password: str, remote_addr: str = "") -> User:
    """The active user with this name and password; otherwise KioskError (the same message whether the name
    or the password was wrong). After MAX_FAILED_LOGINS failures the account is locked for LOCKOUT."""
    bad = KioskError("login_failed", Text("用户名或密码错误", "Wrong user name or password"), status=401)
    user = session.scalar(select(User).where(func.lower(User.username) == (username or "").lower()))
    now = utcnow()
    locked = KioskError(
        "login_locked",
        Text("登录失败次数过多，账户已临时锁定，请15分钟后再试", "Too many failed logins: the account is locked for 15 minutes"),
        status=429,
    )
    if user is None or not user.active:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        # An unknown (or disabled) name locks after as many failures as a real account does, with the same answer:
        # the lock-out never tells which names exist.
        target = f"name:{(username or '')[:64].lower()}"
        if _recent_failures(session, target, now) >= MAX_FAILED_LOGINS:
            session.add(AuditEvent(action="login_locked", target=target, remote_addr=remote_addr))
            raise locked
        session.add(AuditEvent(action="login_failed", target=target, remote_addr=remote_addr))
        raise bad
    if user.locked_until and user.locked_until > now:
        session.add(AuditEvent(actor_id=user.id, action="login_locked", remote_addr=remote_addr))
        raise locked
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.add(AuditEvent(actor_id=user.id, action="login_failed", remote_addr=remote_addr))
        raise bad from None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(AuditEvent(actor_id=user.id, action="login", remote_addr=remote_addr))
    return user


def _recent_failures(session: Session, target: str, now: dt.datetime) -> int:
    """Failed logins under an unknown name within the lock-out period (counted from the audit log)."""
    return session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == "login_failed", AuditEvent.target == target, AuditEvent.at > now - LOCKOUT)
    ) or 0


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
    user.failed_logins, user.locked_until = 0, None
    user.session_epoch += 1
    session.add(AuditEvent(actor_id=admin.id, action="user_password", target=f"user:{user.id}", remote_addr=remote_addr))


def list_users(session: Session) -> list[User]:
    """Every account, by user name (the admins' list)."""
    return list(session.scalars(select(User).order_by(User.username)))
