"""The face match of a case: the accepted booth photo against the portrait on the ID card front(s).

As soon as staff accept the booth photo, `FaceGate.match_on_accept` matches it (when the ID card front is
already there), so the counter view shows same / different at once. When staff finish the on-site
verification, `FaceGate.prepare` matches the accepted photo once against the
website leader's ID card front (an individual's own card; for an organisation also the principal's card when the
principal is the same person, same ID number) and stores the result on the attempt (`PhotoAttempt.identity`:
distance, threshold, similarity, verdict, model name and version, the SHA-256 of both face crops, which are stored
encrypted in the archive). The sealing then carries it in the evidence snapshot. The result is reused while the
photo and the cards stay the same ("key"); a new photo or a new scan is matched again.

A verdict other than "same" blocks the finish (`FaceGate.require`, the move guard in kiosk.cases) until a second
user, a supervisor or an admin other than the requester, approves it with a reason (`approve_face_mismatch`,
kiosk.approvals ACCEPT_FACE_MISMATCH). The block and the approval are audit events; the approval is sealed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from kiosk.approvals import ApprovalAction, find_approval, record_approval
from kiosk.archive.store import BlobStore, record_blob
from kiosk.cases import checklist
from kiosk.documents.intake import read_upload
from kiosk.filing import case_requirements
from kiosk.identity.match import FaceMatcher, MatchVerdict
from kiosk.models import Attachment, AttachmentStatus, AttemptStatus, AuditEvent, Case, PhotoAttempt, User
from kiosk.text import KioskError, Text
from kiosk.workflow import AttachmentKind, State, SubjectType

log = logging.getLogger(__name__)

FORMAT = 1
VERDICT_NAMES: dict[MatchVerdict, Text] = {
    MatchVerdict.SAME: Text("同一人", "Same person"),
    MatchVerdict.DIFFERENT: Text("不是同一人", "Not the same person"),
    MatchVerdict.NO_FACE: Text("未找到人脸，无法比对", "No face found: cannot compare"),
}
CARD_ROLE_NAMES: dict[str, Text] = {
    AttachmentKind.LEADER_ID_FRONT: Text("网站负责人身份证", "Website leader's ID card"),
    AttachmentKind.PRINCIPAL_ID_FRONT: Text("主体负责人身份证", "Principal's ID card"),
}


def _current(case: Case, kind: AttachmentKind) -> Attachment | None:
    rows = [a for a in case.attachments if a.kind == kind.value and a.status != AttachmentStatus.SUPERSEDED]
    return rows[-1] if rows else None


def _person(case: Case, role: str) -> Any:
    return next((p for p in case.people if p.role == role), None)


def cards_to_match(case: Case) -> list[Attachment]:
    """The ID card fronts the live face is matched against: the website leader's (an individual's own card), and
    the principal's too when the principal is the same person (same ID type and number)."""
    if case.subject_type == SubjectType.INDIVIDUAL:
        own = _current(case, AttachmentKind.PRINCIPAL_ID_FRONT)
        return [own] if own else []
    cards = []
    leader_card = _current(case, AttachmentKind.LEADER_ID_FRONT)
    if leader_card:
        cards.append(leader_card)
    leader, principal = _person(case, "website_leader"), _person(case, "principal")
    if leader and principal and (leader.id_type, leader.id_number) == (principal.id_type, principal.id_number):
        principal_card = _current(case, AttachmentKind.PRINCIPAL_ID_FRONT)
        if principal_card:
            cards.append(principal_card)
    return cards


def face_match_applies(case: Case) -> bool:
    """Only a case that needs a verification photo has a face to match (a change of subject, say, has none)."""
    return any(r.kind is AttachmentKind.VERIFICATION_PHOTO for r in case_requirements(case))


def accepted_attempt(case: Case) -> PhotoAttempt | None:
    rows = [p for p in case.photo_attempts if p.status == AttemptStatus.ACCEPTED]
    return rows[-1] if rows else None


def match_key(attempt: PhotoAttempt, cards: list[Attachment]) -> str:
    """What a stored match was made from: the photo and each card (a new photo or scan needs a new match)."""
    return ";".join([f"photo:{attempt.image_sha256}", *(f"{a.kind}:{a.original_sha256}" for a in cards)])


def target_of(attempt: PhotoAttempt) -> str:
    return f"photo_attempt:{attempt.id}"


def stored_match(case: Case) -> dict[str, Any] | None:
    """The accepted photo's stored match when it still fits the photo and the current cards, else None."""
    attempt = accepted_attempt(case)
    if attempt is None or not attempt.identity:
        return None
    return attempt.identity if attempt.identity.get("key") == match_key(attempt, cards_to_match(case)) else None


def overall_verdict(verdicts: list[MatchVerdict]) -> MatchVerdict:
    """Same only when every card matched; a missing face is reported before a different one."""
    for worst in (MatchVerdict.NO_FACE, MatchVerdict.DIFFERENT):
        if worst in verdicts:
            return worst
    return MatchVerdict.SAME


def _decode(data: bytes, what: Text) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise KioskError("face_match_unreadable", Text(f"{what.zh}无法读取，无法比对人脸",
                                                       f"{what.en} cannot be read: the faces cannot be compared"))
    return image


def _put_crop(session: Any, store: BlobStore, jpeg: bytes) -> str | None:
    if not jpeg:
        return None
    ref = store.put(jpeg, encrypt=store.can_encrypt, media_type="image/jpeg")
    record_blob(session, ref)
    return ref.sha256


def _card_image(store: BlobStore, att: Attachment) -> np.ndarray:
    """The scan as uploaded (an image or a PDF, decoded the way the document desk does)."""
    try:
        return read_upload(store.get(att.original_sha256), att.filename or "scan")
    except KioskError:
        name = CARD_ROLE_NAMES.get(att.kind, Text("身份证", "The ID card"))
        raise KioskError("face_match_unreadable", Text(f"{name.zh}无法读取，无法比对人脸",
                                                       f"{name.en} cannot be read: the faces cannot be compared")) from None


def run_face_match(session: Any, case: Case, matcher: FaceMatcher, store: BlobStore, actor: User,
                   remote_addr: str = "") -> dict[str, Any]:
    """Match the accepted photo against every card of `cards_to_match`, store the result on the attempt and
    audit it (the caller commits). KioskError when there is no accepted photo, no ID card front, or a file that
    cannot be read."""
    attempt = accepted_attempt(case)
    if attempt is None:
        raise KioskError("face_match_no_photo", Text("尚未确认核验照片，无法比对人脸",
                                                     "No verification photo accepted yet: the faces cannot be compared"), 409)
    cards = cards_to_match(case)
    if not cards:
        raise KioskError("face_match_no_id_card", Text("尚未上传网站负责人身份证人像面，无法比对人脸",
                                                       "The website leader's ID card front is missing: the faces cannot be compared"), 409)
    live = _decode(store.get(attempt.image_sha256), Text("核验照片", "The verification photo"))
    results: list[dict[str, Any]] = []
    for att in cards:
        result = matcher.match(live, _card_image(store, att))
        results.append({"attachment_id": att.id, "kind": att.kind, "card_sha256": att.original_sha256,
                        **result.as_dict(), "live_face_sha256": _put_crop(session, store, result.live_face_jpeg),
                        "card_face_sha256": _put_crop(session, store, result.card_face_jpeg)})
    verdict = overall_verdict([MatchVerdict(r["verdict"]) for r in results])
    attempt.identity = {"format": FORMAT, "key": match_key(attempt, cards), "verdict": str(verdict),
                        "matched_at": dt.datetime.now(dt.UTC).isoformat(), "matched_by": actor.id, "cards": results}
    model = matcher.model_info
    session.add(AuditEvent(actor_id=actor.id, action="face_match", target=target_of(attempt), remote_addr=remote_addr,
                           detail={"case": case.number, "verdict": str(verdict),
                                   "distances": [r["distance"] for r in results], "threshold": matcher.thresholds.max_distance,
                                   "model": f"{model.name} {model.version}"}))
    log.info("case %s: face match %s", case.number, verdict)
    return attempt.identity


def mismatch_approval(session: Any, case: Case) -> Any:
    """The ACCEPT_FACE_MISMATCH approval that covers the stored match, if any."""
    matched, attempt = stored_match(case), accepted_attempt(case)
    if matched is None or attempt is None:
        return None
    approval = find_approval(session, case.id, ApprovalAction.ACCEPT_FACE_MISMATCH, target_of(attempt))
    return approval if approval is not None and approval.detail.get("key") == matched["key"] else None


def verdict_name(code: Any) -> Text:
    """A stored verdict code in words; an unknown code (a record from another version) is shown as it is."""
    try:
        return VERDICT_NAMES[MatchVerdict(code)]
    except ValueError:
        return Text(str(code), str(code))


def match_summary(matched: dict[str, Any]) -> Text:
    """One line for staff: the stored match's verdict, e.g. "人脸比对：同一人" / "Face match: Same person"."""
    verdict = verdict_name(matched.get("verdict"))
    return Text(f"人脸比对：{verdict.zh}", f"Face match: {verdict.en}")


def face_match_refusal(matched: dict[str, Any]) -> KioskError:
    verdict = VERDICT_NAMES[MatchVerdict(matched["verdict"])]
    return KioskError("face_mismatch", Text(
        f"人脸比对结果：{verdict.zh}。须由另一位主管或管理员核准后才能完成核验",
        f"Face match: {verdict.en}. A supervisor or an admin other than you must approve before the verification "
        "can be finished"), 409)


def approve_face_mismatch(session: Any, case: Case, *, requested_by: User, approved_by: User, reason: str,
                          remote_addr: str = "") -> Any:
    """A second user approves finishing although the stored match is not "same" (kiosk.approvals checks who)."""
    matched, attempt = stored_match(case), accepted_attempt(case)
    if matched is None or attempt is None:
        raise KioskError("face_match_missing", Text("尚无人脸比对结果，请先完成核验以进行比对",
                                                    "There is no face match yet: finish the verification to run it"), 409)
    if matched["verdict"] == MatchVerdict.SAME:
        raise KioskError("face_match_same", Text("人脸比对一致，无需核准", "The faces match: no approval needed"), 409)
    return record_approval(session, case=case, action=ApprovalAction.ACCEPT_FACE_MISMATCH, target=target_of(attempt),
                           requested_by=requested_by, approved_by=approved_by, reason=reason, remote_addr=remote_addr,
                           detail={"key": matched["key"], "verdict": matched["verdict"],
                                   "distances": [c["distance"] for c in matched["cards"]]})


class FaceGate:
    """The face-match step of finishing a verification: `prepare` before the move (matches once, records a block),
    `require` as the move's guard (kiosk.cases). The matcher is built on first use and kept."""

    def __init__(self, store: BlobStore, make_matcher: Callable[[], FaceMatcher]) -> None:
        self.store = store
        self._make_matcher = make_matcher
        self._matcher: FaceMatcher | None = None
        self._lock = threading.Lock()

    @property
    def matcher(self) -> FaceMatcher:
        with self._lock:
            if self._matcher is None:
                self._matcher = self._make_matcher()
            return self._matcher

    def prepare(self, session: Any, case: Case, actor: User, remote_addr: str = "") -> dict[str, Any] | None:
        """The match of the case's accepted photo (run now unless a stored one still fits), or None when the case
        is not ready to finish (the move's own guards then refuse it). A blocked finish is audited
        ("face_match_blocked"); the caller commits either way, so the match and the block are kept."""
        if not face_match_applies(case) or case.state != State.ONSITE or not all(i.complete for i in checklist(case)):
            return None
        matched = stored_match(case) or run_face_match(session, case, self.matcher, self.store, actor, remote_addr)
        if matched["verdict"] != MatchVerdict.SAME and mismatch_approval(session, case) is None:
            attempt = accepted_attempt(case)
            assert attempt is not None  # a stored match belongs to the accepted attempt
            session.add(AuditEvent(actor_id=actor.id, action="face_match_blocked", target=target_of(attempt),
                                   remote_addr=remote_addr, detail={"case": case.number, "verdict": matched["verdict"]}))
        return matched

    def match_on_accept(self, session: Any, case: Case, actor: User, remote_addr: str = "") -> dict[str, Any] | None:
        """Right after the booth photo is accepted: its match against the ID card front(s), stored and audited
        like `prepare`'s (the caller commits), so staff see same / different on the counter view before
        finishing, and finishing reuses it while the photo and the cards stay the same. None when the case has no
        face to match or no card yet, or when a file cannot be read (finishing then runs the match and says why);
        accepting the photo never fails because of the match."""
        if not face_match_applies(case) or accepted_attempt(case) is None or not cards_to_match(case):
            return None
        try:
            return stored_match(case) or run_face_match(session, case, self.matcher, self.store, actor, remote_addr)
        except KioskError as err:
            log.warning("case %s: no face match at acceptance: %s", case.number, err.code)
            return None

    def require(self, session: Any, case: Case) -> None:
        """The guard: a stored match that fits, and is "same" or approved by a second user; else KioskError."""
        if not face_match_applies(case):
            return
        matched = stored_match(case)
        if matched is None:
            raise KioskError("face_match_missing", Text("尚未进行人脸比对，不能完成核验",
                                                        "The face match has not been run: the verification cannot be finished"), 409)
        if matched["verdict"] != MatchVerdict.SAME and mismatch_approval(session, case) is None:
            raise face_match_refusal(matched)


def face_crop_sha256(case: Case, index: int, side: str) -> str | None:
    """The stored face crop `side` ("live" or "card") of card `index` of the accepted photo's match, if any."""
    attempt = accepted_attempt(case)
    cards = (attempt.identity or {}).get("cards", []) if attempt else []
    if side not in ("live", "card") or not 0 <= index < len(cards):
        return None
    return cards[index].get(f"{side}_face_sha256")


@dataclass(frozen=True, slots=True)
class CardMatchView:
    """One card's match as the counter page shows it."""

    index: int
    card: Text
    verdict: str
    verdict_name: Text
    distance: float | None
    threshold: float
    similarity: float | None
    min_similarity: float
    message: Text
    has_live_face: bool
    has_card_face: bool


@dataclass(frozen=True, slots=True)
class FaceMatchView:
    """The counter page's face-match section: nothing run yet (`matched` False), or the stored match with its
    cards, the model, and the approval that lets a mismatch through."""

    matched: bool
    verdict: str = ""
    verdict_name: Text | None = None
    cards: tuple[CardMatchView, ...] = ()
    model: str = ""
    approval: Any = None

    @property
    def needs_approval(self) -> bool:
        return self.matched and self.verdict != MatchVerdict.SAME and self.approval is None


def face_match_view(session: Any, case: Case) -> FaceMatchView:
    """What the counter page shows of the face match; reads the stored result, never runs the matcher."""
    matched = stored_match(case)
    if matched is None:
        return FaceMatchView(False)
    cards = tuple(
        CardMatchView(i, CARD_ROLE_NAMES.get(c["kind"], Text(c["kind"], c["kind"])), c["verdict"],
                      VERDICT_NAMES[MatchVerdict(c["verdict"])], c["distance"], c["threshold"], c["similarity"],
                      c["min_similarity"], Text(c["message"]["zh"], c["message"]["en"]),
                      bool(c.get("live_face_sha256")), bool(c.get("card_face_sha256")))
        for i, c in enumerate(matched["cards"]))
    model = matched["cards"][0]["model"] if matched["cards"] else {}
    return FaceMatchView(True, matched["verdict"], VERDICT_NAMES[MatchVerdict(matched["verdict"])], cards,
                         f'{model.get("name", "")} {model.get("version", "")}'.strip(), mismatch_approval(session, case))
