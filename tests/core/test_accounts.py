"""Account changes in kiosk.accounts, without Flask: each is audited; sessions end when they should."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk import accounts
from kiosk.models import AuditEvent, User
from kiosk.roles import ROLE_NAMES, STAFF_ROLES, Role
from kiosk.text import KioskError


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_changes_are_audited(core) -> None:
    with core.db.session() as s:
        admin = s.get(User, core.users["admin"])
        carol = accounts.admin_create_user(s, admin, "carol", "staff", "carol-password-1", "Carol", "10.0.0.1")
        accounts.set_active(s, admin, carol, False)
        epoch = carol.session_epoch
        accounts.set_password(s, admin, carol, "carol-password-2")
        assert carol.session_epoch == epoch + 1  # sessions opened with the old password end
        with pytest.raises(KioskError) as err:
            accounts.set_password(s, admin, carol, "short")
        assert err.value.code == "password_too_short"
        with pytest.raises(KioskError) as err:
            accounts.set_active(s, admin, admin, False)
        assert err.value.code == "self_deactivate"
        assert actions(s)[-4:] == ["user_created", "user_created_by_admin", "user_deactivate", "user_password"]
        assert [u.username for u in accounts.list_users(s)] == ["admin", "auditor", "carol", "staff", "supervisor"]


def test_logging_out_ends_every_copy_of_the_session(core) -> None:
    with core.db.session() as s:
        staff = s.get(User, core.users["staff"])
        before = staff.session_epoch
        accounts.log_out(s, staff, "10.0.0.2")
        accounts.record_rate_limited(s, "10.0.0.3")
        assert staff.session_epoch == before + 1 and actions(s)[-2:] == ["logout", "login_rate_limited"]


def test_roles_are_spelled_once() -> None:
    assert set(ROLE_NAMES) == set(Role) and STAFF_ROLES == {Role.STAFF, Role.SUPERVISOR, Role.ADMIN}
    assert all(ROLE_NAMES[r].zh and ROLE_NAMES[r].en for r in Role)


def test_address_limiter_counts_a_sliding_window() -> None:
    limiter = accounts.AddressLimiter(limit=2, window=10.0)
    assert limiter.allow("a", now=0.0) and limiter.allow("a", now=1.0) and not limiter.allow("a", now=2.0)
    assert limiter.allow("b", now=2.0) and limiter.allow("a", now=10.5)
