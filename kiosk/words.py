"""Words for codes: every code a person may see (states, roles, checks, phases, moves, log actions...) as a Text.

Codes stay in data, logs and JSON; pages and reports print `word(kind, code)`. The catalogue is built from the
names each module already spells (kiosk.workflow.STATE_NAMES, kiosk.roles.ROLE_NAMES, ...) plus the words below
for codes that had none; tests/core/test_words.py fails when a new enum member or check code has no word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.approvals import ACTION_NAMES as APPROVAL_NAMES
from kiosk.booth.live import CHECK_LABELS, BoothPhase
from kiosk.checkresult import LIMIT_WORDS, CheckStatus
from kiosk.documents.basis import BASIS_FIELD_NAMES
from kiosk.documents.desk import FIELD_LABELS
from kiosk.filing import FILING_RULES, RECORD_REF_NAMES, RecordRef
from kiosk.identity.case_match import VERDICT_NAMES as FACE_VERDICT_NAMES
from kiosk.models import ATTEMPT_STATUS_NAMES, AttachmentStatus, CaptureTrigger, SealKind
from kiosk.roles import ROLE_NAMES
from kiosk.text import Text
from kiosk.workflow import ATTACHMENT_NAMES, MOVES, STATE_NAMES, SUBJECT_TYPE_NAMES

# Photo checks: the booth's short labels are the words (kiosk.booth.live.CHECK_LABELS).
PHOTO_CHECK_WORDS: dict[str, Text] = dict(CHECK_LABELS)

DOCUMENT_CHECK_WORDS: dict[str, Text] = {
    "colour": Text("彩色", "Colour"),
    "edges": Text("边缘完整", "Whole document"),
    "resolution": Text("分辨率", "Resolution"),
    "sharpness": Text("清晰度", "Sharpness"),
    "glare": Text("反光", "Glare"),
    "screen": Text("屏幕翻拍", "Screen photo"),
    "side": Text("证件面", "Document side"),
    "id_number": Text("身份证号码", "ID number"),
    "credit_code": Text("统一社会信用代码", "Credit code"),
    "validity": Text("有效期", "Validity"),
    "case_match": Text("与录入信息比对", "Matches the case"),
    "seal": Text("公章", "Seal"),
    "signature": Text("签字", "Signature"),
    "appended_data": Text("图像后附加数据", "Data after the image"),
    "sheet_subject": Text("核验单主体名称", "Subject name on the sheet"),
    "fingerprint": Text("手印", "Fingerprint"),
}

CHECK_STATUS_WORDS: dict[CheckStatus, Text] = {
    CheckStatus.PASS: Text("通过", "Passed"),
    CheckStatus.FAIL: Text("未通过", "Failed"),
    CheckStatus.UNCERTAIN: Text("待人工确认", "To confirm by eye"),
    CheckStatus.SKIPPED: Text("不适用", "Not applicable"),
    CheckStatus.ERROR: Text("检查出错", "Check failed to run"),
}

BOOTH_PHASE_WORDS: dict[BoothPhase, Text] = {
    BoothPhase.PAUSED: Text("暂停", "Paused"),
    BoothPhase.LIVENESS: Text("活体检测中", "Liveness check"),
    BoothPhase.NO_CAMERA: Text("无摄像头", "No camera"),
    BoothPhase.WAITING: Text("等待工作人员", "Waiting for staff"),
    BoothPhase.IDLE: Text("调整中", "Adjusting"),
    BoothPhase.STEADY: Text("保持不动", "Holding still"),
    BoothPhase.COUNTDOWN: Text("倒计时", "Countdown"),
    BoothPhase.CAPTURE: Text("拍照中", "Taking the photo"),
    BoothPhase.CAPTURED: Text("已拍照，待确认", "Photo taken, to confirm"),
    BoothPhase.ACCEPTED: Text("照片已确认", "Photo accepted"),
}

CAMERA_HEALTH_WORDS: dict[str, Text] = {  # capture.grabber's health, and the booth's own two
    "ok": Text("正常", "Working"),
    "starting": Text("正在启动", "Starting"),
    "stalled": Text("画面停滞", "No new frames"),
    "reopening": Text("正在重新连接", "Reconnecting"),
    "stopped": Text("已停止", "Stopped"),
    "no_camera": Text("无摄像头", "No camera"),
}

ATTACHMENT_STATUS_WORDS: dict[AttachmentStatus, Text] = {
    AttachmentStatus.CHECKED: Text("已检查，待确认", "Checked, to confirm"),
    AttachmentStatus.ACCEPTED: Text("已接受", "Accepted"),
    AttachmentStatus.REJECTED: Text("已退回", "Rejected"),
    AttachmentStatus.SUPERSEDED: Text("已被替换（保留存档）", "Superseded (kept)"),
}

CAPTURE_TRIGGER_WORDS: dict[CaptureTrigger, Text] = {
    CaptureTrigger.AUTO: Text("自动拍照", "Automatic"),
    CaptureTrigger.MANUAL: Text("工作人员拍照", "Taken by staff"),
}

SEAL_KIND_WORDS: dict[SealKind, Text] = {
    SealKind.SEAL: Text("封存", "Sealed"),
    SealKind.CORRECTION: Text("更正封存", "Correction"),
    SealKind.TOMBSTONE: Text("到期删除记录", "Removal record"),
    SealKind.DECISION: Text("后续决定封存", "Later decision sealed"),
}

# The calibration page's camera check (calibration.camera_check.CHECK_CODES and its statuses).
CAMERA_CHECK_WORDS: dict[str, Text] = {
    "resolution": Text("分辨率", "Resolution"),
    "exposure": Text("曝光", "Exposure"),
    "white_balance": Text("白平衡", "White balance"),
    "focus": Text("对焦", "Focus"),
}

CAMERA_CHECK_STATUS_WORDS: dict[str, Text] = {
    "pass": Text("合格", "Good"),
    "warn": Text("建议调整", "Could be better"),
    "fail": Text("须调整", "Must be adjusted"),
}

# Problems found by verify-archive and verify-pack (kiosk.archive.problems.CODES).
PROBLEM_WORDS: dict[str, Text] = {
    "altered_blob": Text("证据文件被修改", "Evidence file altered"),
    "missing_blob": Text("证据文件缺失", "Evidence file missing"),
    "altered_manifest": Text("清单被修改", "Manifest altered"),
    "bad_signature": Text("签名无效", "Bad signature"),
    "missing_signature": Text("缺少签名", "Signature missing"),
    "unknown_key": Text("签名密钥未知", "Unknown key"),
    "wrong_kiosk_key": Text("用了别的终端的签名密钥", "Signed with another kiosk's key"),
    "missing_manifest": Text("清单缺失", "Manifest missing"),
    "broken_link": Text("清单链断裂", "Chain link broken"),
    "duplicate_sequence": Text("清单序号重复", "Duplicate sequence"),
    "db_mismatch": Text("数据库与清单不符", "Database differs from the manifest"),
    "record_mismatch": Text("案件记录与封存不符", "Case record differs from the sealed one"),
    "access_log_altered": Text("访问日志记录被修改", "Access-log entry altered"),
    "access_log_broken": Text("访问日志链断裂", "Access-log chain broken"),
    "access_log_anchor_mismatch": Text("访问日志被改写", "Access log rewritten"),
    "access_log_truncated": Text("访问日志末尾被截断", "Access log truncated"),
    "access_log_wiped": Text("访问日志被清空", "Access log wiped"),
    "access_log_bad_checkpoint": Text("访问日志检查点无效", "Access-log checkpoint invalid"),
    "extra_file": Text("多余的文件", "Extra file"),
    "pending_work": Text("未完成的封存", "Unfinished sealing"),
}

# Access-log actions (web/audit.py) and case audit events (AuditEvent.action).
ACTION_WORDS: dict[str, Text] = {
    "view": Text("查看", "Viewed"),
    "download": Text("下载", "Downloaded"),
    "export": Text("导出", "Exported"),
    "search": Text("检索", "Searched"),
    "refused": Text("拒绝访问", "Access refused"),
    "approval": Text("审批", "Approval"),
    "attachment_override": Text("人工确认材料", "Document confirmed by staff"),
    "attachment_rechecked": Text("按修改后的录入信息重新核验材料", "Document re-checked against the edited case"),
    "demo_seeded": Text("生成演示案件", "Demo case made"),
    "photo_override": Text("人工确认照片", "Photo confirmed by staff"),
    "case_edited": Text("修改案件", "Case edited"),
    "filing_set": Text("设置备案类型", "Filing type set"),
    "legal_hold_on": Text("设置法律保全", "Legal hold set"),
    "legal_hold_off": Text("解除法律保全", "Legal hold lifted"),
    "login": Text("登录", "Logged in"),
    "login_failed": Text("登录失败", "Login failed"),
    "login_locked": Text("账户锁定", "Account locked"),
    "login_rate_limited": Text("登录过于频繁", "Too many logins"),
    "logout": Text("退出", "Logged out"),
    "public_security_filed": Text("公安备案已办", "Public security filing done"),
    "registrars_set": Text("设置域名注册商", "Registrars set"),
    "sheet_printed": Text("打印核验单", "Verification sheet printed"),
    "sheet_matched": Text("核对已签核验单扫描件", "Signed sheet scan matched"),
    "slot_closed": Text("关闭预约时段", "Appointment slot closed"),
    "slots_published": Text("发布预约时段", "Appointment slots published"),
    "user_activate": Text("启用用户", "User enabled"),
    "user_deactivate": Text("停用用户", "User disabled"),
    "liveness_skipped": Text("跳过活体检测", "Liveness check skipped"),
    "profile_version": Text("新校准配置版本", "New calibration profile version"),
    "backdrop_calibrated": Text("校准幕布", "Backdrop calibrated"),
    "profile_exported": Text("导出校准配置", "Calibration profile exported"),
    "user_created": Text("创建用户", "User created"),
    "user_created_by_admin": Text("管理员创建用户", "User created by an admin"),
    "user_password": Text("修改密码", "Password changed"),
    "user_unlock": Text("解除登录锁定", "Login lock lifted"),
    "face_match": Text("人脸比对", "Face match"),
    "face_match_blocked": Text("人脸比对不一致，完成核验被阻止", "Face mismatch: finishing blocked"),
}

# What an access-log or audit target ("case:2025-0001", "photo_attempt:7") names, before its colon.
TARGET_KIND_WORDS: dict[str, Text] = {
    "case": Text("案件", "Case"),
    "cases": Text("案件", "Cases"),
    "access_log": Text("访问日志", "Access log"),
    "kiosks": Text("终端", "Kiosks"),
    "attachment": Text("材料", "Document"),
    "photo_attempt": Text("照片", "Photo"),
    "user": Text("用户", "User"),
    "case_id": Text("案件（内部编号）", "Case (internal id)"),
    "camera": Text("摄像头实时画面", "Live camera"),
    "slot": Text("预约时段", "Appointment slot"),
}

# Why a read of evidence was refused (kiosk.archive.evidence_reads.REFUSALS).
REFUSAL_WORDS: dict[str, Text] = {
    "not_logged_in": Text("未登录", "Not logged in"),
    "wrong_role": Text("无权查看", "Role may not see this"),
    "not_found": Text("不存在", "Not found"),
    "other_case": Text("不是本亭当前的案件", "Another case than the booth's"),
    "not_sealed": Text("案件尚未封存", "Case not yet sealed"),
    "file_missing": Text("文件已不在档案中", "File no longer in the archive"),
    "file_altered": Text("文件校验失败", "File failed its integrity check"),
    "error": Text("其他错误", "Other error"),
}

# A kiosk's chain on the portal's kiosk page (kiosk.kiosks.ChainStatus).
CHAIN_STATUS_WORDS: dict[str, Text] = {
    "intact": Text("哈希链完好", "Chain intact"),
    "damaged": Text("哈希链异常", "Chain damaged"),
    "empty": Text("尚无封存", "Nothing sealed yet"),
}

CATALOGUE: dict[str, Mapping[Any, Text]] = {  # keys: StrEnum members or plain codes (a StrEnum is a str)
    "state": STATE_NAMES,
    "role": ROLE_NAMES,
    "photo_check": PHOTO_CHECK_WORDS,
    "document_check": DOCUMENT_CHECK_WORDS,
    "check_status": CHECK_STATUS_WORDS,
    "limit": LIMIT_WORDS,
    "booth_phase": BOOTH_PHASE_WORDS,
    "camera_health": CAMERA_HEALTH_WORDS,
    "move": {m.name: m.label for m in MOVES},
    "action": ACTION_WORDS,
    "target": TARGET_KIND_WORDS,
    "filing_type": {t: r.name for t, r in FILING_RULES.items()},
    "record_ref": {**RECORD_REF_NAMES, RecordRef.NONE: Text("无", "none")},
    "subject_type": SUBJECT_TYPE_NAMES,
    "attachment_kind": ATTACHMENT_NAMES,
    "attachment_status": ATTACHMENT_STATUS_WORDS,
    "attempt_status": ATTEMPT_STATUS_NAMES,
    "capture_trigger": CAPTURE_TRIGGER_WORDS,
    "seal_kind": SEAL_KIND_WORDS,
    "approval_action": APPROVAL_NAMES,
    "reading_field": FIELD_LABELS,
    "basis_field": BASIS_FIELD_NAMES,
    "face_verdict": FACE_VERDICT_NAMES,
    "problem": PROBLEM_WORDS,
    "camera_check": CAMERA_CHECK_WORDS,
    "camera_check_status": CAMERA_CHECK_STATUS_WORDS,
    "refusal": REFUSAL_WORDS,
    "chain_status": CHAIN_STATUS_WORDS,
}
# A check code may be a photo or a document check; the document's word wins where both exist ("colour").
CATALOGUE["check"] = {**PHOTO_CHECK_WORDS, **DOCUMENT_CHECK_WORDS}


def word(kind: str, code: object) -> Text:
    """The word for `code` in catalogue `kind`; an unknown code comes back as itself in both languages (so a page
    never fails on a code added later, and the unit test names it)."""
    text = CATALOGUE[kind].get(str(code))
    return text if text is not None else Text(str(code), str(code))


def target_word(target: str) -> Text:
    """"case:2025-0001" -> "案件 2025-0001" / "Case 2025-0001"."""
    kind, _, rest = target.partition(":")
    name = TARGET_KIND_WORDS.get(kind)
    if name is None:
        return Text(target, target)
    return Text(f"{name.zh} {rest}".strip(), f"{name.en} {rest}".strip())


def move_line(move: str, source: object, target: object) -> Text:
    """A timeline line: "开始当面核验：草稿 → 当面核验中" / "Start on-site verification: Draft → On-site verification"."""
    m, s, t = word("move", move), (word("state", source) if source else Text("—", "—")), word("state", target)
    return Text(f"{m.zh}：{s.zh} → {t.zh}", f"{m.en}: {s.en} → {t.en}")
