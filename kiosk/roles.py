"""Who may do what: the four roles, their names for people, and the groups the pages check."""

from __future__ import annotations

from enum import StrEnum

from kiosk.text import Text


class Role(StrEnum):
    STAFF = "staff"  # counter staff: cases, documents, the photo station
    SUPERVISOR = "supervisor"  # counter staff who may also give the second approval (four eyes)
    AUDITOR = "auditor"  # reads sealed evidence, read-only
    ADMIN = "admin"  # everything, plus accounts, legal holds and the access log


ROLE_NAMES: dict[Role, Text] = {
    Role.STAFF: Text("柜台人员", "Counter staff"),
    Role.SUPERVISOR: Text("柜台主管", "Counter supervisor"),
    Role.AUDITOR: Text("审计员", "Auditor"),
    Role.ADMIN: Text("管理员", "Administrator"),
}

STAFF_ROLES: frozenset[Role] = frozenset({Role.STAFF, Role.SUPERVISOR, Role.ADMIN})  # handle cases at the counter
APPROVER_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR, Role.ADMIN})  # give a second approval (four eyes)
READER_ROLES: frozenset[Role] = frozenset({Role.AUDITOR, Role.ADMIN})  # read the archive
