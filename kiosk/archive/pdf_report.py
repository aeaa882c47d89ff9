"""The evidence pack's PDF report (A4): filing information, the verification photo with the judge's overlay, every
attempt, every document with its checks and readings, overrides, the timeline and every file's hash.

Built from the sealed evidence snapshot and manifests (not the live database), so it shows what was sealed.
Chinese text uses the WenQuanYi Zen Hei font (Debian fonts-wqy-zenhei).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kiosk import readouts, words
from kiosk.archive.booth_summary import identity_lines, liveness_lines
from kiosk.archive.overlay import draw_on_image
from kiosk.documents.desk import FIELD_LABELS
from kiosk.models import AttemptStatus
from kiosk.workflow import (
    ID_TYPES,
    PROVINCES,
    AttachmentKind,
)

log = logging.getLogger(__name__)

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT = "WQYZenHei"
PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
WIDTH = PAGE_W - 2 * MARGIN


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        if not FONT_FILE.exists():
            raise RuntimeError(f"{FONT_FILE} is missing: install the Debian package fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    f = _font()
    base = ParagraphStyle("base", fontName=f, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "mono": ParagraphStyle("mono", parent=base, fontName="Courier", fontSize=6.5, leading=8, wordWrap=None),
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13, alignment=TA_CENTER,
                                   textColor=colors.HexColor("#444444"), spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4,
                             textColor=colors.HexColor("#1a3d6d")),
        "h3": ParagraphStyle("h3", parent=base, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _both(zh: str, en: str) -> str:
    return f"{zh} {en}"


def _head(zh: str, en: str) -> str:
    """A table header: Chinese above English, so narrow columns never split an English word."""
    return f"{zh}\n{en}"


def _w(kind: str, code: Any) -> str:
    """The words for a code (kiosk.words), Chinese then English; an empty or unknown code stays as it is."""
    t = words.CATALOGUE[kind].get(str(code)) if code not in (None, "") else None
    return _both(t.zh, t.en) if t else ("" if code is None else str(code))


def _time(value: str | None) -> str:
    """A stored ISO time shown in Beijing time."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"


def _who(user: dict[str, Any] | None) -> str:
    if not user:
        return ""
    name = user.get("display_name") or user.get("username") or ""
    return f"{name} ({user.get('username', '')})" if name != user.get("username") else name


TABLE_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]
HEADER_STYLE = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6edf5"))]


def _table(rows: list[list[Any]], widths: list[float], st: dict[str, ParagraphStyle], *, header: bool = True,
           style: str = "small", extra: list[Any] | None = None) -> Table:
    body = [[c if not isinstance(c, str | int | float) and c is not None else _p(c, st[style]) for c in r] for r in rows]
    t = Table(body, colWidths=widths, repeatRows=1 if header else 0)
    t.setStyle(TableStyle(TABLE_STYLE + (HEADER_STYLE if header else []) + (extra or [])))
    return t


def _kv(rows: list[tuple[str, Any]], st: dict[str, ParagraphStyle]) -> Table:
    return _table([[k, v] for k, v in rows], [45 * mm, WIDTH - 45 * mm], st, header=False, style="base",
                  extra=[("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))])


def _image(data: bytes | None, max_w: float, max_h: float) -> Image | None:
    if not data:
        return None
    try:
        with PILImage.open(io.BytesIO(data)) as im:
            w, h = im.size
            if im.mode not in ("RGB", "L"):
                buf = io.BytesIO()
                im.convert("RGB").save(buf, "JPEG", quality=88)
                data = buf.getvalue()
    except Exception:  # not an image (e.g. a PDF scan): the file is in the pack
        return None
    scale = min(max_w / w, max_h / h)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale)


def build_report(
    evidence: dict[str, Any],
    manifests: list[dict[str, Any]],
    manifest_names: list[str],
    read_file: Callable[[str], bytes | None],
    *,
    generated_by: str,
    generated_at: dt.datetime,
    kiosk_name: str,
    integrity: str,
) -> bytes:
    """The report as PDF bytes. `read_file(sha256)` returns a file's plaintext or None when it is gone."""
    st = _styles()
    case = evidence.get("case", {})
    latest = manifests[-1] if manifests else {}
    story: list[Any] = []
    story.append(_p("ICP 备案当面核验证据报告", st["title"]))
    story.append(_p(f"Evidence report of the face-to-face verification · {case.get('number', '')}", st["subtitle"]))
    province = PROVINCES.get(case.get("province", ""))
    story.append(_kv([
        (_both("案件编号", "Case number"), case.get("number")),
        (_both("当前状态", "Current state"), _w("state", case.get("state", ""))),
        (_both("状态（封存时）", "State (when sealed)"),
         _w("state", evidence.get("sealed_state") or case.get("state", ""))),
        (_both("主体类型", "Subject type"), _w("subject_type", case.get("subject_type", ""))),
        (_both("主体名称", "Subject name"), case.get("subject_name")),
        (_both("证件号码", "Certificate number"), f"{case.get('subject_cert_number', '')} ({_cert_type(case.get('subject_cert_type', ''))})"),
        (_both("省份", "Province"), _both(province.name.zh, province.name.en) if province else case.get("province")),
        (_both("备案号", "Record number"), case.get("record_number") or "—"),
        (_both("网站", "Websites"), "\n".join(f"{w.get('domain')}  {w.get('name', '')}" for w in evidence.get("websites", []))),
        (_both("核验终端", "Kiosk"), latest.get("kiosk_name") or case.get("kiosk_name")),
        (_both("封存时间", "Sealed at"), _time(latest.get("sealed_at"))),
        (_both("封存人", "Sealed by"), _who(latest.get("sealed_by"))),
        (_both("完整性（导出时校验）", "Integrity (checked when exported)"), integrity),
        (_both("导出", "Exported"), f"{_time(generated_at.isoformat())} · {generated_by} · {kiosk_name}"),
    ], st))

    story.append(_p(_both("人员", "People"), st["h2"]))
    roles = {"principal": _both("主体负责人", "Principal"), "website_leader": _both("网站负责人", "Website leader")}
    story.append(_table(
        [[_head("角色", "Role"), _head("姓名", "Name"), _head("证件", "ID"), _head("手机", "Mobile")]]
        + [[roles.get(p.get("role"), p.get("role")), p.get("name"), f"{p.get('id_number')} ({_cert_type(p.get('id_type', ''))})",
            p.get("mobile")]
           for p in evidence.get("people", [])],
        [35 * mm, 30 * mm, 75 * mm, WIDTH - 140 * mm], st))

    # ---- the verification photo
    attempts = evidence.get("photo_attempts", [])
    accepted = next((a for a in reversed(attempts) if a.get("status") == AttemptStatus.ACCEPTED), None)
    story.append(_p(_both("真实性核验照片", "Authenticity verification photo"), st["h2"]))
    if accepted:
        raw = read_file(accepted["image_sha256"])
        drawn = None
        if raw:
            try:
                drawn = draw_on_image(raw, (accepted.get("verdict") or {}).get("overlay"))
            except Exception:
                log.warning("could not draw the overlay on attempt %s", accepted.get("id"))
        left = _image(raw, WIDTH / 2 - 4 * mm, 105 * mm) or _p(_both("（文件已删除）", "(file removed)"), st["base"])
        right = _image(drawn, WIDTH / 2 - 4 * mm, 105 * mm) or _p("", st["base"])
        pics = Table([[left, right], [_p(_both("原图", "As taken"), st["small"]),
                                       _p(_both("判定关键点与轮廓", "Judge's landmarks and outline"), st["small"])]],
                     colWidths=[WIDTH / 2, WIDTH / 2])
        pics.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(pics)
        story.append(_p(f"SHA-256 {accepted['image_sha256']} · {accepted.get('width')}×{accepted.get('height')} · "
                        f"{_time(accepted.get('taken_at'))} · {accepted.get('kiosk_name', '')}", st["mono"]))
        story.append(_checks_table(accepted.get("verdict", {}).get("results") or accepted.get("results") or [], st,
                                   "photo_check"))
        if accepted.get("override_reason"):
            story.append(_p(_both("人工放行原因", "Override reason") + f": {accepted['override_reason']}", st["base"]))
        for line in liveness_lines(accepted.get("liveness")) + identity_lines(accepted.get("identity")):
            story.append(_p(_both(line.zh, line.en), st["base"]))
    else:
        story.append(_p(_both("没有被接受的照片", "No accepted photo"), st["base"]))

    story.append(_p(_both("全部拍摄尝试", "Every photo attempt"), st["h3"]))
    rows = [["#", _head("时间", "Taken"), _head("触发", "Trigger"), _head("结果", "Result"),
             _head("状态", "Status"), _head("未通过的检查", "Failed checks")]]
    for i, a in enumerate(attempts, 1):
        results = (a.get("verdict") or {}).get("results") or a.get("results") or []
        failed = "、".join(_w("check", r.get("code", "")) for r in results if r.get("status") in ("fail", "error"))
        rows.append([str(i), _time(a.get("taken_at")), _w("capture_trigger", a.get("trigger")),
                     _both("通过", "passed") if a.get("passed") else _both("未通过", "failed"),
                     _w("attempt_status", a.get("status")), failed or "—"])
    story.append(_table(rows, [8 * mm, 40 * mm, 22 * mm, 18 * mm, 26 * mm, WIDTH - 114 * mm], st))

    # ---- documents
    story.append(PageBreak())
    story.append(_p(_both("证件与材料", "Documents"), st["h2"]))
    for a in evidence.get("attachments", []):
        if a.get("kind") == AttachmentKind.VERIFICATION_PHOTO:
            continue
        name = _w("attachment_kind", a.get("kind", ""))
        verdict = _both("通过", "passed") if a.get("passed") else _both("未通过", "failed")
        block: list[Any] = [_p(f"{name} · {_w('attachment_status', a.get('status'))} · {verdict}", st["h3"])]
        img = read_file(a["normalised_sha256"]) if a.get("normalised_sha256") else None
        img = img or read_file(a["original_sha256"])
        pic = _image(img, 70 * mm, 48 * mm) or _p(_both("（无法预览，见文件）", "(no preview: see the file)"), st["small"])
        info = [_checks_table(a.get("checks") or [], st, "document_check")]
        readings = a.get("readings") or {}
        if readings:
            info.append(_p(_both("识别结果", "OCR readings"), st["small"]))
            info.append(_readings_table(readings, st))
        if a.get("override_reason"):
            info.append(_p(_both("人工放行", "Override") + f": {a['override_reason']} — {_who(a.get('override_by'))}", st["small"]))
        info.append(_p(f"{_both('上传', 'Uploaded')} {_time(a.get('uploaded_at'))} · {_who(a.get('uploaded_by'))}", st["small"]))
        t = Table([[pic, info]], colWidths=[74 * mm, WIDTH - 74 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        block.append(t)
        block.append(_p(f"{_both('原件', 'original')} {a.get('original_sha256')}\n"
                        f"{_both('规范化副本', 'normalised')} {a.get('normalised_sha256') or '—'}", st["small"]))
        story.append(KeepTogether(block))

    overrides = evidence.get("overrides") or []
    story.append(_p(_both("人工放行记录", "Staff overrides"), st["h2"]))
    if overrides:
        story.append(_table([[_head("对象", "Target"), _head("原因", "Reason"), _head("人员", "By")]]
                            + [[_target(o.get("target", ""), evidence), o.get("reason"), _who(o.get("by")) or str(o.get("by_id") or "")]
                               for o in overrides],
                            [45 * mm, WIDTH - 85 * mm, 40 * mm], st))
    else:
        story.append(_p(_both("无", "None"), st["base"]))

    story.append(_p(_both("状态时间线", "State timeline"), st["h2"]))
    story.append(_table(
        [[_head("时间", "When"), _head("操作", "Move"), _head("从", "From"), _head("到", "To"), _head("人员", "By"), _head("原因", "Reason")]]
        + [[_time(e.get("at")), _w("move", e.get("move")), _w("state", e.get("from_state")), _w("state", e.get("to_state")),
            _who(e.get("actor")), e.get("reason") or ""]
           for e in evidence.get("timeline", [])],
        [38 * mm, 30 * mm, 30 * mm, 30 * mm, 25 * mm, WIDTH - 153 * mm], st))

    story.append(PageBreak())
    story.append(_p(_both("封存清单与文件哈希", "Manifests and file hashes"), st["h2"]))
    for name, m in zip(manifest_names, manifests, strict=True):
        story.append(_p(f"{_w('seal_kind', m.get('kind'))} #{m.get('sequence')} · {_time(m.get('sealed_at'))} · {_who(m.get('sealed_by'))} · "
                        f"{m.get('kiosk_name')} · key {m.get('signing_key')}", st["small"]))
        story.append(_p(f"manifest {name}\nprevious {m.get('prev_manifest_sha256')}", st["mono"]))
        if m.get("supersedes"):
            story.append(_p(f"supersedes #{m['supersedes'].get('sequence')} {m['supersedes'].get('manifest_sha256')}", st["mono"]))
    files = latest.get("files") or []
    story.append(Spacer(1, 4))
    story.append(_table(
        [["SHA-256", _head("大小", "Bytes"), _head("内容", "What")]]
        + [[_p(f.get("sha256"), st["mono"]), str(f.get("size")), _file_what(f)] for f in files],
        [100 * mm, 18 * mm, WIDTH - 118 * mm], st))
    story.append(Spacer(1, 6))
    story.append(_p(_both("离线校验：python -m kiosk verify-pack <证据包.zip>",
                          "Verify offline: python -m kiosk verify-pack <pack.zip>"), st["small"]))

    number = case.get("number", "")

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_font(), 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, 9 * mm, f"{number} · {_both('证据报告', 'Evidence report')} · {kiosk_name}")
        canvas.drawRightString(PAGE_W - MARGIN, 9 * mm, f"{doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=16 * mm, title=f"Evidence report {number}", author=kiosk_name,
                            subject="ICP filing face-to-face verification evidence", invariant=1)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _checks_table(checks: list[dict[str, Any]], st: dict[str, ParagraphStyle], kind: str) -> Any:
    """The checks of a photo (`kind` "photo_check") or a document ("document_check"), each reading in words with
    its unit and limit (kiosk.readouts), Chinese above English."""
    if not checks:
        return _p(_both("（无检查记录）", "(no checks recorded)"), st["small"])
    rows = [[_head("检查", "Check"), _head("结果", "Result"), _head("读数（限值）", "Reading (limit)"),
             _head("说明", "Message")]]
    for c in checks:
        r = readouts.as_result(c)
        said = readouts.readout(r, kind)
        reading = "—" if r.value is None else _head(said.zh, said.en)
        status = words.word("check_status", r.status)  # Chinese above English: "Passed" never splits
        rows.append([_w(kind, r.code), _head(status.zh, status.en), reading, _both(r.message.zh, r.message.en).strip()])
    colour = [("TEXTCOLOR", (1, i), (1, i), colors.HexColor("#b00020"))
              for i, c in enumerate(checks, 1) if c.get("status") in ("fail", "error")]
    return _table(rows, [24 * mm, 16 * mm, 44 * mm, None], st, extra=colour)  # type: ignore[list-item]  # reportlab takes None for a column that fills the rest


def _cert_type(code: str) -> str:
    """An ID or certificate type in words (resident_id -> 居民身份证 Resident identity card)."""
    t = ID_TYPES.get(code) or words.CATALOGUE["document_check"].get(code)
    return _both(t.zh, t.en) if t else code


def _readings_table(readings: dict[str, Any], st: dict[str, ParagraphStyle]) -> Table:
    """What OCR read, one field per row, each field in words."""
    rows: list[list[Any]] = [[_head("项目", "Field"), _head("识别", "Read")]]
    for field, value in readings.items():
        label = FIELD_LABELS.get(field)
        shown = "、".join(map(str, value)) if isinstance(value, list) else json.dumps(value, ensure_ascii=False).strip('"')
        rows.append([_both(label.zh, label.en) if label else field, shown[:300]])
    return _table(rows, [34 * mm, None], st)  # type: ignore[list-item]  # reportlab takes None for a column that fills the rest


def _target(target: str, evidence: dict[str, Any]) -> str:
    """An override's target in words: the document's name for "attachment:<id>"."""
    kind, _, rest = target.partition(":")
    if kind == "attachment":
        for a in evidence.get("attachments", []):
            if str(a.get("id")) == rest:
                return _w("attachment_kind", a.get("kind", ""))
    t = words.target_word(target)
    return _both(t.zh, t.en)


def _file_what(f: dict[str, Any]) -> str:
    """What a sealed file is, in words: its role and what it belongs to ("attachment:12:principal_id_front" ->
    the document's name and id, "photo_attempt:3" -> photo #3)."""
    role, source = str(f.get("role") or ""), str(f.get("source") or "")
    parts = source.split(":")
    if parts[0] == "attachment" and len(parts) == 3:
        what = f"{_w('attachment_kind', parts[2])} #{parts[1]}"
    elif ":" in source:
        t = words.target_word(source)
        what = _both(t.zh, t.en)
    else:
        what = source
    zh_en = FILE_ROLES.get(role)
    return f"{_both(*zh_en) if zh_en else role} · {what}".strip(" ·")


# EvidenceFile roles (kiosk.archive.evidence) in words.
FILE_ROLES = {
    "attachment_original": ("原件", "original"),
    "attachment_normalised": ("规范化副本", "normalised copy"),
    "photo_attempt": ("拍摄照片", "photo as taken"),
    "evidence_snapshot": ("证据快照", "evidence snapshot"),
}
