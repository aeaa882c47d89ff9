"""Demo data: `seed_demo` makes N realistic cases through the counter's own steps, so a new user can tour every page.

Each case is created from a filled-in case form (`kiosk.cases.validate_case_input`, `create_case`) and moved with
`move_case`; its documents are specimen scans (kiosk.documents.specimens: ID card sides, licence, verification
sheet, domain certificate, as flatbed scans or table photos) checked and read by the document desk
(`kiosk.documents.desk.take_in`) and accepted (`decide`, with a written reason and a second user where a check
failed); the verification photo is a frame of the bundled demo video judged by the photo judge, stored and
accepted through kiosk.booth.attempts; the face match runs when it is on. Finishing the verification seals the
evidence and every later move appends its signed decision, exactly as at the counter. Nothing is inserted raw.

The cases cycle through subject types, provinces (some need a domain certificate, some the SMS step), kiosk names
and the states draft, on-site verification, waiting for internal audit, approved (with a record number) and
returned for correction. Every demo case is marked by a "demo_seeded" audit event: a second run refuses unless
asked to add more (which then continues the numbering of names, domains and ID numbers).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capture.demo import DEMO_VIDEO
from kiosk import accounts, cases
from kiosk.archive.service import Archive
from kiosk.booth import attempts
from kiosk.booth.finish import finish_photo
from kiosk.db import Database
from kiosk.documents import specimen_cards, specimens
from kiosk.documents.desk import Decision, DocumentChecker, decide, take_in
from kiosk.documents.ocr import OcrEngine
from kiosk.documents.specimens import CannedOcr
from kiosk.identity.case_match import FaceGate, approve_face_mismatch
from kiosk.models import AuditEvent, Case, User
from kiosk.roles import APPROVER_ROLES, STAFF_ROLES, Role
from kiosk.settings import Settings
from kiosk.text import KioskError, Text
from kiosk.workflow import PROVINCES, AttachmentKind, State, SubjectType, is_sms_pilot

log = logging.getLogger(__name__)

VIDEO_SECONDS = (7.0, 8.5, 10.0, 11.5, 13.0, 14.5)  # the person stands centred and still (capture/demo/README.md)
MARK = "demo_seeded"
REASON = "演示数据：样本文件，已人工核对 / demo data: specimen document, checked by hand"
KIOSK_NAMES = ("counter-beijing-1", "counter-shanghai-2", "booth-shenzhen-3")
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("demo-staff", Role.STAFF), ("demo-supervisor", Role.SUPERVISOR), ("demo-auditor", Role.AUDITOR),
    ("demo-admin", Role.ADMIN),
)

# Where each demo case ends, in turn: every state a tour should see.
TARGET_STATES = (
    State.APPROVED, State.AWAITING_AUDIT, State.ONSITE, State.DRAFT, State.RETURNED_FOR_CORRECTION, State.APPROVED,
)
# The moves that lead there from on-site verification (the draft stops before the first).
MOVES_TO: dict[State, tuple[str, ...]] = {
    State.DRAFT: (),
    State.ONSITE: ("start_verification",),
    State.AWAITING_AUDIT: ("start_verification", "finish_verification"),
    State.RETURNED_FOR_CORRECTION: ("start_verification", "finish_verification", "return_for_correction"),
    State.APPROVED: ("start_verification", "finish_verification", "pass_audit", "submit_to_administration", "approve"),
}
# Subject type, province (with its resident ID region code) in turn: some provinces need a domain certificate
# (jiangsu, shanghai, hunan), some are in the SMS pilot (zhejiang, hunan, sichuan).
SUBJECTS = (SubjectType.ENTERPRISE, SubjectType.INDIVIDUAL, SubjectType.GOVERNMENT, SubjectType.ENTERPRISE,
            SubjectType.INSTITUTION, SubjectType.SOCIAL_ORG)
REGIONS = (("beijing", "110105"), ("jiangsu", "320506"), ("zhejiang", "330106"), ("shanghai", "310104"),
           ("guangdong", "440305"), ("hunan", "430104"), ("sichuan", "510107"))
CREDIT_PREFIX = {SubjectType.ENTERPRISE: "91", SubjectType.GOVERNMENT: "11", SubjectType.INSTITUTION: "12",
                 SubjectType.SOCIAL_ORG: "51"}
NAME_WORDS = ("青松", "远帆", "明川", "云杉", "星河", "和光", "长风", "晨曦", "金桥", "嘉禾")
SUBJECT_NAMES = {
    SubjectType.ENTERPRISE: "{city}{word}网络科技有限公司",
    SubjectType.GOVERNMENT: "{city}{word}区数据资源管理局",
    SubjectType.INSTITUTION: "{city}{word}职业技术学院",
    SubjectType.SOCIAL_ORG: "{city}{word}软件行业协会",
}
SLUGS = ("qingsong", "yuanfan", "mingchuan", "yunshan", "xinghe", "heguang", "changfeng", "chenxi", "jinqiao", "jiahe")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("样本", "示例", "演示", "测试", "模板", "假名", "虚构", "试例")


@dataclass(frozen=True)
class DemoPerson:
    """A made-up person: what the case form takes and what the specimen card prints."""

    name: str
    id_number: str
    mobile: str
    sex: str

    def card(self, authority: str) -> specimens.Person:
        return specimens.Person(self.name, self.id_number, sex=self.sex, authority=authority)


@dataclass(frozen=True)
class DemoPlan:
    """One demo case to make: the form, the people, where it ends and at which kiosk."""

    index: int
    form: dict[str, Any]
    subject_type: SubjectType
    subject_name: str
    province: str
    domain: str
    principal: DemoPerson
    leader: DemoPerson
    target: State
    kiosk_name: str
    photo_capture: bool  # True: the ID cards are table photos, else flatbed scans


@dataclass
class DemoCase:
    """What was made: case number, subject, state, kiosk, documents, whether sealed, record number."""

    number: str
    subject_name: str
    state: str
    kiosk_name: str
    documents: int
    overrides: int
    sealed: bool
    record_number: str | None


@dataclass
class DemoReport:
    """The cases made and the demo accounts created (with their passwords, shown once)."""

    cases: list[DemoCase] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, password


def _person(rng: random.Random, region: str, index: int) -> DemoPerson:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 35 * 365))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(100, 999)}"
    sex = "男" if int(body[16]) % 2 else "女"
    name = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[(index + rng.randrange(len(GIVEN))) % len(GIVEN)]
    return DemoPerson(name, specimens.valid_id_number(body), f"139{rng.randrange(10**8):08d}", sex)


def plan_case(index: int, seed: int) -> DemoPlan:
    """The `index`-th demo case of run `seed` (deterministic: the same index and seed give the same case)."""
    rng = random.Random(seed * 100_003 + index)
    subject_type = SUBJECTS[index % len(SUBJECTS)]
    province, region = REGIONS[index % len(REGIONS)]
    word, slug = NAME_WORDS[index % len(NAME_WORDS)], SLUGS[index % len(SLUGS)]
    principal = _person(rng, region, index)
    leader = principal if subject_type == SubjectType.INDIVIDUAL else _person(rng, region, index + 3)
    city = PROVINCES[province].name.zh
    domain = f"{slug}-demo{index + 1}.cn"
    if subject_type == SubjectType.INDIVIDUAL:
        subject_name, cert = principal.name, principal.id_number
        website = f"{principal.name}的个人博客"
    else:
        subject_name = SUBJECT_NAMES[subject_type].format(city=city, word=word)
        cert = specimens.valid_credit_code(f"{CREDIT_PREFIX[subject_type]}{region}{rng.randrange(10**9):09d}")
        website = f"{subject_name}官网"
    form: dict[str, Any] = {
        "subject_type": subject_type.value, "province": province, "subject_name": subject_name,
        "subject_cert_number": cert, "website_domain": [domain], "website_name": [website],
    }
    for role, person in (("principal", principal), ("website_leader", leader)):
        form.update({f"{role}_name": person.name, f"{role}_id_type": "resident_id",
                     f"{role}_id_number": person.id_number, f"{role}_mobile": person.mobile})
    return DemoPlan(index, form, subject_type, subject_name, province, domain, principal, leader,
                    TARGET_STATES[index % len(TARGET_STATES)], KIOSK_NAMES[index % len(KIOSK_NAMES)],
                    photo_capture=index % 2 == 1)


def video_frames(path: Path = DEMO_VIDEO, seconds: tuple[float, ...] = VIDEO_SECONDS) -> list[np.ndarray]:
    """Frames of the demo video where the person stands for the photo (KioskError when it cannot be read)."""
    video = cv2.VideoCapture(str(path))
    try:
        fps = video.get(cv2.CAP_PROP_FPS) or 30.0
        frames = []
        for second in seconds:
            video.set(cv2.CAP_PROP_POS_FRAMES, round(second * fps))
            ok, frame = video.read()
            if ok and frame is not None:
                frames.append(frame)
    finally:
        video.release()
    if not frames:
        raise KioskError("demo_video_unreadable", Text(f"无法读取演示视频 {path}", f"The demo video {path} cannot be read"))
    return frames


class Judge(Protocol):
    """What the demo needs of the photo judge (kiosk.photo.PhotoJudge)."""

    def judge(self, frame_bgr: np.ndarray) -> Any: ...


@dataclass
class DemoTools:
    """What seeding uses: the document checker per scan (real OCR, or the specimen's own text), the photo judge,
    the face gate (None: face matching off) and the frames of the demo video."""

    checker_for: Callable[[Image.Image], DocumentChecker]
    judge: Judge
    face_gate: FaceGate | None
    frames: list[np.ndarray]
    portraits: dict[int, np.ndarray] = field(default_factory=dict)

    def portrait(self, index: int) -> np.ndarray | None:
        """An ID-card portrait of the person in frame `index` (None when no face is found)."""
        key = index % len(self.frames)
        if key not in self.portraits:
            try:
                self.portraits[key] = specimen_cards.portrait_from_photo(self.frames[key])
            except ValueError:
                log.warning("demo frame %d: no face for the ID card portrait", key)
                return None
        return self.portraits[key]


def default_tools(settings: Settings, *, canned_ocr: bool = False) -> DemoTools:
    """The real tools of `settings`: its OCR engine (or the specimens' own text), the photo judge with the
    kiosk's defaults, the face gate when face matching is on."""
    from kiosk.archive import open_archive
    from kiosk.identity.match import matcher_from_settings
    from kiosk.photo import PhotoJudge

    real = DocumentChecker.from_settings(settings)

    def checker_for(doc: Image.Image) -> DocumentChecker:
        if not canned_ocr:
            return real
        engine: OcrEngine = CannedOcr(specimens.printed_lines(doc))
        return DocumentChecker.from_settings(settings, engine=engine)

    gate = (FaceGate(open_archive(settings).store, lambda: matcher_from_settings(settings))
            if settings.face_match else None)
    return DemoTools(checker_for, PhotoJudge(), gate, video_frames())


def seeded_count(session: Session) -> int:
    """How many demo cases this database already holds."""
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == MARK)) or 0


def ensure_users(session: Session, *, create: bool) -> list[tuple[str, str, str]]:
    """Create the demo accounts (random passwords, returned to print once) when the database has no users or
    `create` asks for them; names already taken are skipped."""
    if accounts.count_users(session) and not create:
        return []
    made = []
    for name, role in DEMO_USERS:
        if session.scalar(select(User).where(User.username == name)) is not None:
            continue
        password = secrets.token_urlsafe(12)
        accounts.create_user(session, name, role, password, display_name=f"演示{name.split('-')[1]}")
        made.append((name, role.value, password))
    return made


def actors(session: Session) -> tuple[User, User]:
    """The counter user who makes the cases and a second user who approves and audits (four eyes)."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    staff = next((u for u in users if u.role == Role.STAFF), None) or next((u for u in users if u.role in STAFF_ROLES), None)
    second = next((u for u in users if u.role in APPROVER_ROLES and u is not staff), None)
    if staff is None or second is None:
        raise KioskError("demo_users_missing", Text(
            "演示需要一位柜台人员和另一位主管或管理员：请加 --users 创建演示账户",
            "The demo needs a counter user and a second user who is a supervisor or an admin: add --users to create "
            "the demo accounts"))
    return staff, second


def _documents(plan: DemoPlan, kind: AttachmentKind, tools: DemoTools) -> Image.Image:
    """The flat specimen of `kind` for the case."""
    authority = f"{PROVINCES[plan.province].name.zh}公安局"
    owner_is_leader = kind in (AttachmentKind.LEADER_ID_FRONT, AttachmentKind.LEADER_ID_BACK) or (
        plan.subject_type == SubjectType.INDIVIDUAL)
    person = (plan.leader if owner_is_leader else plan.principal).card(authority)
    if kind in (AttachmentKind.PRINCIPAL_ID_FRONT, AttachmentKind.LEADER_ID_FRONT):
        portrait = tools.portrait(plan.index) if owner_is_leader else None
        return specimen_cards.card_front(person, portrait) if portrait is not None else specimens.id_card_front(person)
    if kind in (AttachmentKind.PRINCIPAL_ID_BACK, AttachmentKind.LEADER_ID_BACK):
        return specimens.id_card_back(person)
    if kind is AttachmentKind.SUBJECT_CERTIFICATE:
        return specimens.business_licence(plan.subject_name, plan.form["subject_cert_number"])
    if kind is AttachmentKind.VERIFICATION_SHEET:
        return specimens.verification_sheet(sealed=plan.subject_type != SubjectType.INDIVIDUAL, domain=plan.domain,
                                            subject=plan.subject_name)
    return specimens.domain_certificate(plan.domain, owner=plan.subject_name)


def _scan(plan: DemoPlan, kind: AttachmentKind, doc: Image.Image) -> bytes:
    """The document as the counter receives it, as a JPEG: an ID card as a table photo (every other case) or a
    flatbed scan; an A4 sheet as a flatbed scan at 300 dpi (a 2000 × 1500 table photo of A4 is below 100 dpi)."""
    card = "_id_" in kind.value
    photo = plan.photo_capture and card
    captured = specimens.photograph(doc, seed=plan.index) if photo else specimens.flatbed(doc, seed=plan.index)
    return specimens.jpeg_bytes(captured)


def _take_documents(session: Session, archive: Archive, case: Case, plan: DemoPlan, tools: DemoTools, staff: User,
                    second: User, kinds: Sequence[AttachmentKind]) -> tuple[int, int]:
    """Scan, check and accept each document; returns (documents, accepted with a reason although a check failed)."""
    taken = overrides = 0
    for kind in kinds:
        doc = _documents(plan, kind, tools)
        intake = take_in(session, archive.store, tools.checker_for(doc), case, kind.value, _scan(plan, kind, doc),
                         f"{kind.value}.jpg", staff)
        taken += 1
        if plan.target is State.DRAFT:
            continue  # a draft's scans wait for staff
        for att in (intake.attachment, intake.other_side):
            if att is None:
                continue
            overrides += not att.passed
            decide(session, case, att, Decision.ACCEPT, None if att.passed else REASON, staff, approver=second)
    return taken, overrides


def _take_photo(session: Session, archive: Archive, case: Case, plan: DemoPlan, tools: DemoTools, staff: User,
                zone: Any) -> None:
    """A frame of the demo video judged, stored as the case's photo attempt and accepted (overriding, with the
    demo reason, any check the frame failed)."""
    frame = tools.frames[plan.index % len(tools.frames)]
    verdict = tools.judge.judge(frame).as_dict()
    photo = finish_photo(frame, taken_at=dt.datetime.now(zone), kiosk_name=plan.kiosk_name)
    attempt = attempts.store_attempt(session, archive.store, case, photo, verdict)
    failed = attempts.failed_checks(attempt)
    if failed:
        attempts.override_checks(session, attempt, failed, REASON, staff)
    attempts.accept_attempt(session, attempt, staff)


def _finish(session: Session, archive: Archive, case: Case, tools: DemoTools, staff: User, second: User) -> None:
    """Finish the on-site verification: the face match first (a second user approves a mismatch: the demo ID
    cards are specimens), then the sealing move."""
    if tools.face_gate is not None:
        matched = tools.face_gate.prepare(session, case, staff)
        if matched is not None and matched["verdict"] != "same":
            approve_face_mismatch(session, case, requested_by=staff, approved_by=second, reason=REASON)
    cases.move_case(session, case, "finish_verification", staff, archive=archive, face_gate=tools.face_gate)


def _record_number(plan: DemoPlan, seed: int) -> str:
    return f"{PROVINCES[plan.province].abbr}ICP备2026{(seed * 7919 + plan.index) % 10**6:06d}号"


def make_case(session: Session, archive: Archive, plan: DemoPlan, tools: DemoTools, staff: User, second: User,
              seed: int, zone: Any) -> DemoCase:
    """One demo case (see the module docstring), in the caller's session."""
    case = cases.create_case(session, cases.validate_case_input(plan.form), staff, kiosk_name=plan.kiosk_name)
    required = [item.requirement.kind for item in cases.checklist(case)]
    kinds = [k for k in required if k is not AttachmentKind.VERIFICATION_PHOTO]
    if plan.target is State.DRAFT:
        kinds = kinds[:2]  # a draft is being prepared: two scans so far, not yet accepted
    documents, overrides = _take_documents(session, archive, case, plan, tools, staff, second, kinds)
    for move in MOVES_TO[plan.target]:
        if move == "finish_verification":
            _finish(session, archive, case, tools, staff, second)
            continue
        actor = staff if move == "start_verification" else second
        if move == "approve" and is_sms_pilot(case.province):
            cases.move_case(session, case, "await_sms", actor, archive=archive)
            move = "approve_after_sms"
        reason = REASON if move == "return_for_correction" else None
        number = _record_number(plan, seed) if move.startswith("approve") else None
        cases.move_case(session, case, move, actor, reason=reason, record_number=number, archive=archive)
        if move == "start_verification":
            _take_photo(session, archive, case, plan, tools, staff, zone)
    session.add(AuditEvent(actor_id=staff.id, action="demo_seeded", target=f"case:{case.id}",
                           detail={"case": case.number, "seed": seed, "index": plan.index}))
    return DemoCase(case.number, case.subject_name, case.state, case.kiosk_name, documents, overrides,
                    case.sealed_at is not None, case.record_number)


def seed_demo(db: Database, archive: Archive, tools: DemoTools, count: int, *, seed: int = 1, add: bool = False,
              create_users: bool = False, zone: Any = dt.UTC,
              progress: Callable[[DemoCase], None] | None = None) -> DemoReport:
    """Make `count` demo cases, one transaction each (a failure keeps the cases made before it). Refuses
    (KioskError demo_exists) when demo cases exist unless `add`; creates the demo accounts when there are no
    users or `create_users` asks for them."""
    if count < 1:
        raise KioskError("demo_count", Text("案件数量至少为 1", "The number of cases must be at least 1"))
    report = DemoReport()
    with db.session() as session:
        existing = seeded_count(session)
        if existing and not add:
            raise KioskError("demo_exists", Text(
                f"数据库中已有 {existing} 个演示案件：未作改动。加 --add 可再添加",
                f"The database already holds {existing} demo cases: nothing changed. Add --add to add more"), 409)
        report.users = ensure_users(session, create=create_users)
        staff_id, second_id = (user.id for user in actors(session))
    for index in range(existing, existing + count):
        with db.session() as session:
            staff, second = session.get_one(User, staff_id), session.get_one(User, second_id)
            made = make_case(session, archive, plan_case(index, seed), tools, staff, second, seed, zone)
        report.cases.append(made)
        if progress is not None:
            progress(made)
    return report
