"""The verification sheet as an A4 PDF (reportlab), with a QR code on every page.

Pages are planned before anything is drawn (each block measured), so each page's hash (of what it prints) is
known when its QR code is drawn: subject, filing, website leader, the websites (continued on further pages when
many), then the signature part, kept whole on the last page: the pledge (Guangdong individuals), the signature box,
the seal box (organisations), the fingerprint box (Jiangxi and Xinjiang individuals) and the provider's check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from kiosk.deadlines import BEIJING
from kiosk.pdf_fonts import cjk_font
from kiosk.sheet.content import SheetContent, SheetPerson, SheetWebsite
from kiosk.sheet.qr import PageCode

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
WIDTH = PAGE_W - 2 * MARGIN
QR_SIZE = 30 * mm
HEADER_H = 36 * mm  # title and QR code
FOOTER_H = 10 * mm
BODY_H = PAGE_H - 2 * MARGIN - HEADER_H - FOOTER_H
GRID = colors.HexColor("#333333")
SHADE = colors.HexColor("#eeeeee")


def _styles() -> dict[str, ParagraphStyle]:
    f = cjk_font()
    base = ParagraphStyle("sheet", fontName=f, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "label": ParagraphStyle("label", parent=base, fontSize=9, leading=12),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#555555")),
        "h": ParagraphStyle("h", parent=base, fontSize=11, leading=15, spaceBefore=3, spaceAfter=2),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
    }


Text2 = tuple[str, str]  # (Chinese, English) of a heading


@dataclass(frozen=True)
class Block:
    """One piece of a page: what it prints (hashed) and how it looks."""

    key: str
    lines: tuple[str, ...]
    flowable: Flowable
    gap: float = 2 * mm  # space below; none between the rows of the website table

    def height(self) -> float:
        return self.flowable.wrap(WIDTH, BODY_H)[1] + self.gap


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _label(zh: str, en: str, st: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(f"{escape(zh)}<br/><font size=6.5 color='#666666'>{escape(en)}</font>", st["label"])


def _grid(rows: list[list[object]], widths: list[float], shade_cols: tuple[int, ...] = (0,)) -> Table:
    table = Table(rows, colWidths=widths)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in shade_cols:
        style.append(("BACKGROUND", (col, 0), (col, -1), SHADE))
    table.setStyle(TableStyle(style))
    return table


def _fields(title: Text2, items: list[tuple[str, str, str]], st: dict[str, ParagraphStyle], key: str) -> list[Block]:
    """A heading and a two-pair-per-row table of labelled fields."""
    cells, lines = [], [f"{title[0]}"]
    for zh, en, value in items:
        cells.append((_label(zh, en, st), _p(value or "—", st["base"])))
        lines.append(f"{zh}={value}")
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i:i + 2]
        row: list[object] = [pair[0][0], pair[0][1]]
        row += [pair[1][0], pair[1][1]] if len(pair) > 1 else ["", ""]
        rows.append(row)
    w = WIDTH / 2
    table = _grid(rows, [w * 0.36, w * 0.64, w * 0.36, w * 0.64], shade_cols=(0, 2))
    heading = _heading(title, st)
    return [Block(key, tuple(lines), _stack([heading, table]))]


def _heading(title: Text2, st: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(f"{escape(title[0])} <font size=8 color='#666666'>{escape(title[1])}</font>", st["h"])


class _Stack(Flowable):
    """Flowables drawn one under the other as one block (kept together on a page)."""

    def __init__(self, parts: list[Flowable]) -> None:
        super().__init__()
        self.parts = parts
        self.sizes: list[tuple[float, float]] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        self.sizes = [p.wrap(availWidth, availHeight) for p in self.parts]
        return availWidth, sum(h for _, h in self.sizes)

    def draw(self) -> None:
        y = sum(h for _, h in self.sizes)
        for part, (_, h) in zip(self.parts, self.sizes, strict=True):
            y -= h
            part.drawOn(self.canv, 0, y)


def _stack(parts: list[Flowable]) -> _Stack:
    return _Stack(parts)


def _person_items(p: SheetPerson) -> list[tuple[str, str, str]]:
    return [("姓名", "Name", p.name), ("证件类型", "ID type", p.id_type), ("证件号码", "ID number", p.id_number),
            ("手机号码", "Mobile", p.mobile), ("电子邮箱", "E-mail", p.email)]


WEBSITE_WIDTHS = [12 * mm, 62 * mm, WIDTH - 74 * mm]


def _website_header(st: dict[str, ParagraphStyle], continued: bool) -> Flowable:
    title = ("网站信息（续）", "Websites, continued") if continued else ("网站信息", "Websites")
    head = _grid([[_p("序号", st["label"]), _label("网站名称", "Website name", st), _label("网站域名", "Domain", st)]],
                 WEBSITE_WIDTHS, shade_cols=(0, 1, 2))
    return _stack([_heading(title, st), head])


def _website_row(i: int, w: SheetWebsite, st: dict[str, ParagraphStyle]) -> Block:
    domain = w.domain + (f"（注册商：{w.registrar}）" if w.registrar is not None else "")
    row = _grid([[_p(str(i), st["center"]), _p(w.name, st["base"]), _p(domain, st["base"])]], WEBSITE_WIDTHS, shade_cols=())
    return Block(f"website:{i}", (f"{i}|{w.name}|{domain}",), row, gap=0)


def _box(title_zh: str, title_en: str, st: dict[str, ParagraphStyle], height: float, width: float,
         hint: str = "") -> Table:
    inner = [[Paragraph(f"{escape(title_zh)} <font size=7 color='#666666'>{escape(title_en)}</font>", st["label"])],
             [_p(hint, st["small"]) if hint else ""]]
    table = Table(inner, colWidths=[width], rowHeights=[7 * mm, height - 7 * mm])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.9, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.3, colors.HexColor("#999999"))]))
    return table


def _signature_block(c: SheetContent, st: dict[str, ParagraphStyle]) -> Block:
    parts: list[Flowable] = [_heading(("签字确认", "Signatures"), st)]
    statement = ("本人已核对以上备案信息，确认真实、准确、完整，并对其真实性负责。" if c.individual else
                 "本单位已核对以上备案信息，确认真实、准确、完整，并对其真实性负责。")
    parts.append(_p(statement, st["base"]))
    lines = ["signatures", statement]
    if c.pledge:
        parts += [Spacer(1, 2 * mm), _heading(("个人备案承诺书", "Individual filing pledge"), st), _p(c.pledge, st["base"])]
        lines.append("pledge:" + c.pledge)
    specs = [("本人签字", "Applicant's signature", "签字 / 日期")] if c.individual else [
        ("主体负责人签字", "Principal's signature", "签字 / 日期"),
        ("网站负责人签字", "Website leader's signature", "签字 / 日期"),
    ]
    if c.seal_box:
        specs.append(("单位公章", "Official seal", "加盖单位公章"))
    if c.fingerprint_box:
        specs.append(("手印", "Fingerprint", "右手食指指纹"))
    lines += [f"box:{zh}" for zh, _en, _hint in specs]
    gap = 4 * mm
    width = (WIDTH - gap * (len(specs) - 1)) / len(specs)
    height = 42 * mm if (c.seal_box or c.fingerprint_box) else 30 * mm
    boxes = [_box(zh, en, st, height, width, hint) for zh, en, hint in specs]
    row = Table([boxes], colWidths=[width + (gap if i < len(boxes) - 1 else 0) for i in range(len(boxes))])
    row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                             ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    check = _grid([[_label("核验人员签字", "Checked by (provider)", st), "", _label("核验日期", "Date", st), ""]],
                  [WIDTH * 0.2, WIDTH * 0.35, WIDTH * 0.15, WIDTH * 0.3], shade_cols=(0, 2))
    parts += [Spacer(1, 3 * mm), row, Spacer(1, 4 * mm), check]
    lines.append("provider-check")
    return Block("signatures", tuple(lines), _stack(parts))


def sheet_blocks(c: SheetContent) -> list[Block]:
    st = _styles()
    blocks: list[Block] = []
    filing = [("备案类型", "Filing type", c.filing_name), ("接入服务商", "Provider", c.provider_name),
              ("案件编号", "Case number", c.case_number), ("省份", "Province", c.province_name)]
    if c.existing_record_label:
        filing.append((c.existing_record_label, "Filed record number", c.existing_record_number or ""))
    if c.previous_provider is not None:
        filing.append(("原接入服务商", "Previous provider", c.previous_provider))
    blocks += _fields(("备案信息", "Filing"), filing, st, "filing")
    subject = [("主办者名称", "Subject name", c.subject_name), ("主办者性质", "Subject type", c.subject_type_name),
               ("证件类型", "Certificate", c.certificate_name), ("证件号码", "Certificate number", c.subject_cert_number)]
    if not c.individual:
        subject += [("主体负责人", "Principal", c.principal.name), ("负责人证件号码", "Principal's ID number", c.principal.id_number),
                    ("负责人手机", "Principal's mobile", c.principal.mobile)]
    blocks += _fields(("主体信息", "Subject"), subject, st, "subject")
    blocks += _fields(("网站负责人", "Website leader"), _person_items(c.leader), st, "leader")
    for i, website in enumerate(c.websites, start=1):
        blocks.append(_website_row(i, website, st))
    blocks.append(_signature_block(c, st))
    return blocks


def plan_pages(blocks: list[Block]) -> list[list[Block]]:
    """Blocks per page: each page holds what fits; the website table's header goes before its first row and again
    at the top of a page that continues the table."""
    st = _styles()
    last_site = max((i for i, b in enumerate(blocks) if b.key.startswith("website:")), default=-1)
    pages: list[list[Block]] = [[]]
    used = 0.0
    for i, block in enumerate(blocks):
        header = None
        if block.key == "website:1":
            header = Block("website-header", ("websites",), _website_header(st, continued=False), gap=0)
        gap_after = 2 * mm if i == last_site else 0.0  # space after the table's last row
        need = block.height() + gap_after + (header.height() if header else 0)
        if used + need > BODY_H and pages[-1]:
            pages.append([])
            used = 0.0
            if block.key.startswith("website:") and header is None:
                header = Block("website-header-continued", ("websites-continued",), _website_header(st, continued=True), gap=0)
                need += header.height()
        if header is not None:
            pages[-1].append(header)
        if gap_after:
            block = Block(block.key, block.lines, block.flowable, gap=gap_after)
        pages[-1].append(block)
        used += need
    return pages


def page_hash(sheet_id: str, page: int, pages: int, content_sha256: str, blocks: list[Block]) -> str:
    data = {"sheet": sheet_id, "page": page, "pages": pages, "content": content_sha256,
            "blocks": [[b.key, list(b.lines)] for b in blocks]}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _draw_qr(canvas: Canvas, payload: str, x: float, y: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


@dataclass(frozen=True, slots=True)
class RenderedSheet:
    pdf: bytes
    page_hashes: tuple[str, ...]
    content_sha256: str


def render_sheet(content: SheetContent, sheet_id: str, printed_at: dt.datetime) -> RenderedSheet:
    """The sheet's PDF and the hash of each page (whose first digits its QR code carries)."""
    st = _styles()
    font = cjk_font()
    pages = plan_pages(sheet_blocks(content))
    content_sha = content.sha256()
    hashes = tuple(page_hash(sheet_id, i, len(pages), content_sha, blocks) for i, blocks in enumerate(pages, start=1))
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(f"网站备案信息真实性核验单 {content.case_number}")
    canvas.setAuthor(content.provider_name)
    canvas.setSubject(f"sheet {sheet_id}")
    printed = printed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    for number, (blocks, digest) in enumerate(zip(pages, hashes, strict=True), start=1):
        code = PageCode(content.case_number, sheet_id, number, len(pages), digest)
        top = PAGE_H - MARGIN
        title = _p("网站备案信息真实性核验单", st["title"])
        title.wrap(WIDTH - QR_SIZE - 6 * mm, 30 * mm)
        title.drawOn(canvas, MARGIN, top - 12 * mm)
        sub = Paragraph("Verification sheet of website filing information", st["center"])
        sub.wrap(WIDTH - QR_SIZE - 6 * mm, 10 * mm)
        sub.drawOn(canvas, MARGIN, top - 18 * mm)
        meta = _p(f"案件编号 {content.case_number}　打印时间 {printed}　第 {number}/{len(pages)} 页", st["small"])
        meta.wrap(WIDTH - QR_SIZE - 6 * mm, 10 * mm)
        meta.drawOn(canvas, MARGIN, top - 26 * mm)
        _draw_qr(canvas, code.payload(), PAGE_W - MARGIN - QR_SIZE, top - QR_SIZE)
        canvas.setFont(font, 6.5)
        canvas.drawCentredString(PAGE_W - MARGIN - QR_SIZE / 2, top - QR_SIZE - 3 * mm, f"{sheet_id} · {number}/{len(pages)}")
        y = top - HEADER_H
        for block in blocks:
            _, h = block.flowable.wrap(WIDTH, BODY_H)
            y -= h
            block.flowable.drawOn(canvas, MARGIN, y)
            y -= block.gap
        canvas.setFont(font, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(MARGIN, MARGIN, "请勿涂改。每页右上角二维码用于与案件核对，请保持完整。")
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN, f"{content.provider_name} · {number}/{len(pages)}")
        canvas.setFillColor(colors.black)
        canvas.showPage()
    canvas.save()
    return RenderedSheet(buf.getvalue(), hashes, content_sha)
