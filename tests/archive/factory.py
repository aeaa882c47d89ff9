"""Build realistic cases for archive tests and benchmarks: users, a case with websites and people, document scans
(original + normalised, ID scans encrypted), photo attempts with verdicts and check rows, a timeline."""

from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

from kiosk.archive.store import BlobStore
from kiosk.models import Attachment, Case, CaseEvent, CheckResultRow, Person, PhotoAttempt, User, Website

SCAN_KINDS = (
    "subject_certificate",
    "principal_id_front",
    "principal_id_back",
    "leader_id_front",
    "leader_id_back",
    "verification_sheet",
)
ENCRYPTED_KINDS = frozenset(k for k in SCAN_KINDS if k != "verification_sheet")


def jpeg(seed: int, size: tuple[int, int] = (640, 480), quality: int = 85) -> bytes:
    """A small, unique JPEG (different bytes for every seed)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        d.rectangle([x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 120)],
                    fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    d.text((10, 10), f"seed {seed}", fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png(seed: int, size: tuple[int, int] = (400, 250)) -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(jpeg(seed, size))).convert("L").save(buf, "PNG")
    return buf.getvalue()


def make_user(session, username: str, role: str) -> User:  # type: ignore[no-untyped-def]
    user = User(username=username, display_name=username.title(), role=role, password_hash="x")
    session.add(user)
    session.flush()
    return user


VERDICT = {
    "passed": True,
    "first_failure": None,
    "message": None,
    "results": [
        {"code": "single_person", "status": "pass", "passed": True, "value": 1, "threshold": 1, "reason": "ok",
         "message": {"zh": "一人", "en": "One person"}, "details": {}},
        {"code": "glasses", "status": "pass", "passed": True, "value": 0.1, "threshold": 0.5, "reason": "ok",
         "message": {"zh": "未戴眼镜", "en": "No glasses"}, "details": {}},
    ],
    "overlay": {
        # the judge's format (kiosk.photo.judge.overlay): normalised pose points [x, y, visibility],
        # face box [x0, y0, x1, y1], body outline polygon [x, y]
        "pose": [[0.50, 0.28, 0.99], [0.47, 0.25, 0.99], [0.53, 0.25, 0.99], [0.45, 0.27, 0.98], [0.55, 0.27, 0.98],
                 [0.38, 0.45, 0.97], [0.62, 0.45, 0.97], [0.35, 0.65, 0.9], [0.65, 0.65, 0.9],
                 [0.36, 0.85, 0.8], [0.64, 0.85, 0.8], [0.42, 0.90, 0.7], [0.58, 0.90, 0.7]],
        "face_box": [0.42, 0.16, 0.58, 0.38],
        "outline": [[0.30, 0.99], [0.33, 0.50], [0.42, 0.42], [0.43, 0.15], [0.57, 0.15], [0.58, 0.42],
                    [0.67, 0.50], [0.70, 0.99]],
    },
}


def make_case(
    session,  # type: ignore[no-untyped-def]
    store: BlobStore,
    staff: User,
    *,
    number: str = "BK-20261123-0001",
    seed: int = 1,
    scans: int = 6,
    attempts: int = 1,
    state: str = "onsite_verification",
    subject_name: str = "北京示例科技有限公司",
    province: str = "beijing",
    domain: str = "example.cn",
    cert_number: str = "91110108MA01ABCD2X",
    id_number: str = "11010519491231002X",
    created_at: dt.datetime | None = None,
) -> Case:
    """A case in `state` with `scans` document scans and `attempts` photo attempts, all stored in `store`."""
    now = created_at or dt.datetime.now(dt.UTC)
    case = Case(
        number=number, state=state, subject_type="enterprise", subject_name=subject_name,
        subject_cert_type="credit_code", subject_cert_number=cert_number, province=province,
        kiosk_name="kiosk-1", created_by=staff, created_at=now,
    )
    case.websites.append(Website(domain=domain, name="示例网站"))
    case.people.append(Person(role="principal", name="张三", id_type="resident_id", id_number=id_number, mobile="13800138000"))
    case.people.append(Person(role="website_leader", name="李四", id_type="resident_id", id_number="110101199003074514",
                              mobile="13900139000"))
    session.add(case)
    session.flush()
    for i, kind in enumerate(SCAN_KINDS[:scans]):
        enc = kind in ENCRYPTED_KINDS
        orig = store.put(jpeg(seed * 100 + i, (800, 500)), encrypt=enc, media_type="image/jpeg")
        norm = store.put(png(seed * 100 + i), encrypt=enc, media_type="image/png")
        session.add(Attachment(
            case_id=case.id, kind=kind, status="accepted", filename=f"{kind}.jpg", media_type="image/jpeg",
            original_sha256=orig.sha256, original_size=orig.size, normalised_sha256=norm.sha256, encrypted=enc,
            passed=i != 2, checks=[{"code": "sharp", "status": "pass", "value": 120.0, "threshold": 60}],
            readings={"id_number": id_number} if "id" in kind else {},
            override_reason="复印件清晰，人工核对 / legible, checked by hand" if i == 2 else None,
            override_by_id=staff.id if i == 2 else None, uploaded_by_id=staff.id, uploaded_at=now,
        ))
    for j in range(attempts):
        img = store.put(jpeg(seed * 1000 + j, (480, 640)), encrypt=False, media_type="image/jpeg")
        last = j == attempts - 1
        attempt = PhotoAttempt(
            case_id=case.id, taken_at=now, kiosk_name="kiosk-1", trigger="auto", image_sha256=img.sha256,
            image_size=img.size, width=480, height=640, passed=last, verdict=VERDICT,
            status="accepted" if last else "discarded", decided_by_id=staff.id, decided_at=now,
        )
        session.add(attempt)
        session.flush()
        for pos, r in enumerate(VERDICT["results"]):
            session.add(CheckResultRow(photo_attempt_id=attempt.id, position=pos, code=r["code"], status=r["status"],
                                       value=r["value"], threshold=str(r["threshold"]), reason=r["reason"],
                                       message_zh=r["message"]["zh"], message_en=r["message"]["en"]))
        if last:
            session.add(Attachment(
                case_id=case.id, kind="verification_photo", status="accepted", filename="photo.jpg",
                media_type="image/jpeg", original_sha256=img.sha256, original_size=img.size, encrypted=False,
                passed=True, checks=[], readings={}, uploaded_by_id=staff.id, uploaded_at=now,
            ))
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=staff.id, move="create", to_state="draft"))
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=staff.id, move="start_verification",
                          from_state="draft", to_state="onsite_verification"))
    session.flush()
    return case


def finish(session, case: Case, staff: User) -> None:  # type: ignore[no-untyped-def]
    """Apply finish_verification the way kiosk.cases does (state + event), without committing."""
    session.add(CaseEvent(case_id=case.id, actor_id=staff.id, move="finish_verification",
                          from_state=case.state, to_state="awaiting_internal_audit"))
    case.state = "awaiting_internal_audit"
