"""Who may do what: the three roles, their names for people, and the groups the pages check."""

from __future__ import annotations

from enum import StrEnum

from kiosk.text import Text


class Role(StrEnum):
    STAFF = "staff"  # counter staff: cases, documents, the photo station
    AUDITOR = "auditor"  # reads sealed evidence, read-only
    ADMIN = "admin"  # everything, plus accounts, legal holds and the access log


ROLE_NAMES: dict[Role, Text] = {
    Role.STAFF: Text("柜台人员", "Counter staff"),
    Role.AUDITOR: Text("审计员", "Auditor"),
    Role.ADMIN: Text("管理员", "Administrator"),
}

STAFF_ROLES: frozenset[Role] = frozenset({Role.STAFF, Role.ADMIN})  # handle cases at the counter
READER_ROLES: frozenset[Role] = frozenset({Role.AUDITOR, Role.ADMIN})  # read the archive
