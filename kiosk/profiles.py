"""Calibration profiles as data: a versioned profile per kiosk, stored in the database.

A profile holds what calibration learnt at one counter: the photo judge's thresholds (`"thresholds"`, the
JudgeConfig overrides such as `backdrop_lab`) and the camera measurements (`"camera"`). Versions are never edited
in place: a recalibration, an import or a threshold change adds the next version (`new_version`), and every photo
attempt records the version it was judged with (`PhotoAttempt.profile_version`), so old attempts keep theirs.

Export/import (`export_profile` / `import_profile`, `python -m kiosk calibrate export|import`) moves one set-up
to other counters as JSON; importing adds a new version at the receiving kiosk.

Without any version the kiosk is "未校准 / Not calibrated" (`calibration_status`): the backdrop check cannot run,
so no photo of that kiosk is labelled "全部通过" (see `attempt_label`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import AuditEvent, BackdropProfile, PhotoAttempt, User
from kiosk.text import KioskError, Text

EXPORT_FORMAT = "beian-kiosk-profile/1"
NOT_CALIBRATED = Text("未校准", "Not calibrated")


@dataclass(frozen=True, slots=True)
class CalibrationStatus:
    calibrated: bool
    version: int | None
    text: Text


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """The profile `data` if its thresholds load into JudgeConfig; KioskError otherwise."""
    from kiosk.photo.config import JudgeConfig

    if not isinstance(data, dict) or not isinstance(data.get("thresholds", {}), dict):
        raise KioskError("profile_unreadable", Text("配置文件格式错误", "Profile must be a JSON object"))
    JudgeConfig.from_dict(data.get("thresholds"))
    return data


def current(session: Session, kiosk_name: str) -> BackdropProfile | None:
    """The kiosk's newest profile version, or None when it was never calibrated."""
    return session.scalars(select(BackdropProfile).where(BackdropProfile.kiosk_name == kiosk_name)
                           .order_by(BackdropProfile.version.desc()).limit(1)).first()


def get_version(session: Session, kiosk_name: str, version: int) -> BackdropProfile | None:
    return session.scalars(select(BackdropProfile).where(BackdropProfile.kiosk_name == kiosk_name,
                                                         BackdropProfile.version == version)).first()


def new_version(session: Session, kiosk_name: str, data: dict[str, Any], *, source: str = "calibrate",
                created_by: User | None = None, note: str = "") -> BackdropProfile:
    """Add the kiosk's next profile version holding `data` (validated), with an audit event."""
    validate(data)
    latest = session.scalar(select(func.max(BackdropProfile.version)).where(BackdropProfile.kiosk_name == kiosk_name))
    profile = BackdropProfile(kiosk_name=kiosk_name, version=(latest or 0) + 1, source=source, note=note,
                              data=data, created_by_id=created_by.id if created_by else None)
    session.add(profile)
    session.add(AuditEvent(action="profile_version", actor_id=created_by.id if created_by else None,
                           target=kiosk_name, detail={"kiosk_name": kiosk_name, "version": profile.version, "source": source}))
    session.flush()
    return profile


def calibration_status(session: Session, kiosk_name: str) -> CalibrationStatus:
    profile = current(session, kiosk_name)
    if profile is None:
        return CalibrationStatus(False, None, NOT_CALIBRATED)
    return CalibrationStatus(True, profile.version,
                             Text(f"已校准（第 {profile.version} 版）", f"Calibrated (version {profile.version})"))


def attempt_label(attempt: PhotoAttempt) -> Text:
    """The counter's one-line label of an attempt: "全部通过" only when every check passed AND the attempt was
    judged with a calibration profile (otherwise the backdrop was not checked)."""
    if not attempt.passed:
        return Text("有检查未通过", "some checks failed")
    if attempt.profile_version is None:
        return Text("其余检查通过；幕布未校准，未检查背景", "other checks passed; not calibrated, backdrop unchecked")
    return Text("全部通过", "all checks passed")


def export_profile(profile: BackdropProfile) -> dict[str, Any]:
    """JSON-ready export of one version (what another counter imports)."""
    return {"format": EXPORT_FORMAT, "kiosk_name": profile.kiosk_name, "version": profile.version,
            "created_at": profile.created_at.isoformat(), "source": profile.source, "note": profile.note,
            "profile": profile.data}


def import_profile(session: Session, kiosk_name: str, exported: dict[str, Any], *,
                   created_by: User | None = None) -> BackdropProfile:
    """Add a new version at `kiosk_name` from `export_profile`'s output (another counter's set-up)."""
    if not isinstance(exported, dict) or exported.get("format") != EXPORT_FORMAT:
        raise KioskError("profile_unreadable", Text("不是备案终端导出的配置", f"Not a {EXPORT_FORMAT} export"))
    note = f"imported from {exported.get('kiosk_name', '?')} v{exported.get('version', '?')}"
    return new_version(session, kiosk_name, exported.get("profile") or {}, source="import", created_by=created_by,
                       note=note)
