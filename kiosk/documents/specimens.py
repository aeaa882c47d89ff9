"""Specimen documents for the document tests and the benchmark, drawn with Pillow. No real scans anywhere.

Every specimen is synthetic: card and sheet layouts modelled on the public descriptions of the Chinese resident
identity card (GB 19496 style: portrait side and national-emblem side), the business licence, the ICP filing
verification sheet (核验单) and a registrar's domain certificate, filled with made-up names and numbers computed
with the GB 11643 / GB 32100 algorithms (so they pass or fail the checksums on purpose). The national emblem is
NOT reproduced: a red disc with a gold star stands in for it. Text uses Debian's WenQuanYi Zen Hei font.

Capture simulations turn a flat specimen into what a counter would receive: a flatbed scan (document on a
near-white bed, slight rotation, lid shadow), a document-camera / phone photograph (perspective, table background,
uneven light, sensor noise, JPEG), and the faults the providers reject: greyscale / photocopy, cut edges, blur,
glare spot, a photo of a screen (subpixel grid + moiré), low resolution. Everything is deterministic (seeded).

Every flat specimen remembers the text it printed and where (`printed_lines`): the canned OCR engine of the
image-check tests (tests/documents/canned_ocr.py) reads it back instead of running the OCR models.

The drawings and the flatbed and camera simulations are remembered per arguments (`_remembered`): many tests start
from the same scan, and making an A4 scan costs seconds. Nothing changes an image in place, so sharing is safe.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.documents.ocr import TextLine
from kiosk.validators import credit_code_check_character, id_check_character

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
CARD_MM = (85.6, 54.0)
A4_MM = (210.0, 297.0)


F = TypeVar("F", bound=Callable[..., Image.Image])
_MEMORY: OrderedDict[tuple, tuple[Image.Image, tuple]] = OrderedDict()
MEMORY_SIZE = 24  # images (an A4 scan is about 26 MB)


def _remembered(fn: F) -> F:
    """Return the image made before for the same arguments (images among them count by identity and are kept
    alive with the entry, so an id is never reused while remembered)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Image.Image:
        key = (fn.__name__, *(("img", id(a)) if isinstance(a, Image.Image) else a for a in args),
               *sorted(kwargs.items()))
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return _MEMORY[key][0]
        made = fn(*args, **kwargs)
        _MEMORY[key] = (made, args)
        while len(_MEMORY) > MEMORY_SIZE:
            _MEMORY.popitem(last=False)
        return made

    return wrapper  # type: ignore[return-value]  # same signature as fn


PrintedLine = tuple[str, tuple[float, float, float, float]]  # text, box as fractions of the document (x0, y0, x1, y1)


def _record(img: Image.Image, d: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, f: ImageFont.FreeTypeFont,
            anchor: str | None = None) -> None:
    """Remember that `text` was printed at `xy` (see printed_lines)."""
    x0, y0, x1, y1 = d.textbbox(xy, text, font=f, anchor=anchor)
    img.info.setdefault("printed", []).append((text, (x0 / img.width, y0 / img.height, x1 / img.width, y1 / img.height)))


def _print(img: Image.Image, d: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, f: ImageFont.FreeTypeFont,
           fill: tuple[int, ...], anchor: str | None = None) -> None:
    """Draw `text` at `xy` and remember what was printed where."""
    d.text(xy, text, font=f, fill=fill, anchor=anchor)
    _record(img, d, xy, text, f, anchor)


def printed_lines(doc: Image.Image) -> tuple[PrintedLine, ...]:
    """The text lines a flat specimen printed, with their boxes as fractions of the document."""
    return tuple(doc.info.get("printed", ()))


def font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont:
    """WenQuanYi Zen Hei (index 2 is the monospaced face)."""
    return ImageFont.truetype(FONT_PATH, size, index=2 if mono else 0)


def valid_id_number(body17: str) -> str:
    """An 18-character ID number with the right GB 11643 check digit."""
    return body17 + id_check_character(body17)


ID_NUMBER_CHARACTERS = "0123456789X"
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _one_off(good: str, alphabet: str) -> str:
    """The character after `good` in `alphabet` (wrapping): a check character that is wrong by one."""
    return alphabet[(alphabet.index(good) + 1) % len(alphabet)]


def broken_id_number(body17: str) -> str:
    """An ID number whose check digit is wrong (one off)."""
    return body17 + _one_off(id_check_character(body17), ID_NUMBER_CHARACTERS)


def valid_credit_code(body17: str) -> str:
    return body17 + credit_code_check_character(body17)


def broken_credit_code(body17: str) -> str:
    """A unified social credit code whose check character is wrong (one off)."""
    return body17 + _one_off(credit_code_check_character(body17), CREDIT_CODE_CHARACTERS)


@dataclass(frozen=True)
class Person:
    name: str
    number: str
    sex: str = "男"
    nation: str = "汉"
    address: tuple[str, ...] = ("北京市东城区样本路", "12号院3号楼204室")
    authority: str = "北京市公安局东城分局"
    valid_from: dt.date = dt.date(2016, 5, 1)
    valid_to: dt.date | None = dt.date(2036, 5, 1)  # None: 长期

    @property
    def birth(self) -> dt.date:
        n = self.number
        return dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


SPECIMEN_PEOPLE = (
    Person("张样本", valid_id_number("11010119900307453")),
    Person("李试例", valid_id_number("31010419850521242"), sex="女", address=("上海市徐汇区示例路", "88弄6号")),
    Person("王测试", valid_id_number("44030519781111001"), authority="深圳市公安局南山分局"),
    Person("赵演示", valid_id_number("51010719920229612"), nation="回", address=("四川省成都市武侯区", "样例街5号")),
    Person("陈模板", valid_id_number("33010220010915003"), sex="女", valid_to=None),
    Person("刘假名", valid_id_number("32050619690704751"), authority="苏州市公安局吴中分局"),
)


def _tint_background(w: int, h: int, seed: int, base: tuple[int, int, int], waves: tuple) -> Image.Image:
    """A light coloured background with guilloche-like wave lines (like the security print of cards)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    for colour, period, amp in waves:
        phase = rng.uniform(0, 2 * math.pi)
        s = np.sin(2 * math.pi * xx / period + amp * np.sin(2 * math.pi * yy / (period * 3.1)) + phase)
        weight = (s > 0.92).astype(np.float32) * 0.5
        for c in range(3):
            img[..., c] = img[..., c] * (1 - weight) + colour[c] * weight
    # a soft diagonal colour gradient
    grad = (xx / w + yy / h) / 2
    img[..., 0] += 10 * grad
    img[..., 2] -= 8 * grad
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _round_corners(img: Image.Image, radius: int, outside: tuple[int, int, int]) -> Image.Image:
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius, fill=255)
    out = Image.new("RGB", img.size, outside)
    out.paste(img, (0, 0), mask)
    out.info["printed"] = list(img.info.get("printed", ()))
    return out


@_remembered
def id_card_front(person: Person, px_per_mm: float = 14.0) -> Image.Image:
    """Portrait side (人像面): name, sex, nationality, birth, address, number, portrait placeholder."""
    s = px_per_mm
    w, h = round(CARD_MM[0] * s), round(CARD_MM[1] * s)
    img = _tint_background(w, h, 1, (222, 232, 244), (((190, 205, 235), 37, 3), ((236, 205, 215), 53, 5)))
    d = ImageDraw.Draw(img)
    label, value, mono = font(round(2.9 * s)), font(round(3.6 * s)), font(round(3.9 * s), mono=True)
    lc, vc = (40, 90, 150), (10, 10, 10)

    def put(xmm: float, ymm: float, text: str, f: ImageFont.FreeTypeFont, fill: tuple[int, int, int]) -> None:
        _print(img, d, (xmm * s, ymm * s), text, f, fill)

    put(6, 7.5, "姓  名", label, lc)
    put(17, 7, person.name, value, vc)
    put(6, 14.5, "性  别", label, lc)
    put(17, 14, person.sex, value, vc)
    put(27, 14.5, "民  族", label, lc)
    put(37, 14, person.nation, value, vc)
    b = person.birth
    put(6, 21.5, "出  生", label, lc)
    put(17, 21, f"{b.year}  年  {b.month}  月  {b.day}  日", value, vc)
    put(6, 28.5, "住  址", label, lc)
    for i, line in enumerate(person.address):
        put(17, 28 + i * 5, line, value, vc)
    put(6, 46, "公民身份号码", label, lc)
    put(30, 45.3, person.number, mono, vc)
    # portrait placeholder: head and shoulders silhouette on a light background
    x0, y0, x1, y1 = 58 * s, 7 * s, 80 * s, 36 * s
    d.rectangle((x0, y0, x1, y1), fill=(238, 240, 244))
    cx = (x0 + x1) / 2
    d.ellipse((cx - 5.5 * s, y0 + 5 * s, cx + 5.5 * s, y0 + 18 * s), fill=(196, 160, 135))
    d.ellipse((cx - 6 * s, y0 + 3.5 * s, cx + 6 * s, y0 + 10 * s), fill=(40, 32, 30))
    d.pieslice((cx - 11 * s, y0 + 19 * s, cx + 11 * s, y1 + 14 * s), 180, 360, fill=(45, 55, 80))
    return _round_corners(img, round(3 * s), (255, 255, 255))


def _emblem_placeholder(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    """A red disc with a gold star: a stand-in, NOT the national emblem."""
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(200, 30, 35), outline=(215, 170, 60), width=max(2, round(r / 8)))
    pts = []
    for i in range(10):
        rr = r * (0.55 if i % 2 == 0 else 0.22)
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=(240, 200, 70))


@_remembered
def id_card_back(person: Person, px_per_mm: float = 14.0) -> Image.Image:
    """National-emblem side (国徽面): emblem placeholder, title, issuing authority, validity period."""
    s = px_per_mm
    w, h = round(CARD_MM[0] * s), round(CARD_MM[1] * s)
    img = _tint_background(w, h, 2, (224, 236, 228), (((205, 225, 205), 41, 4), ((235, 215, 190), 59, 3)))
    d = ImageDraw.Draw(img)
    _emblem_placeholder(d, 14 * s, 13 * s, 8.5 * s)
    _print(img, d, (30 * s, 7 * s), "中华人民共和国", font(round(5.2 * s)), (20, 20, 20))
    _print(img, d, (30 * s, 16 * s), "居民身份证", font(round(7.5 * s)), (20, 20, 20))
    label, value = font(round(2.9 * s)), font(round(3.4 * s))
    lc, vc = (40, 90, 150), (10, 10, 10)
    _print(img, d, (14 * s, 38.5 * s), "签发机关", label, lc)
    _print(img, d, (30 * s, 38 * s), person.authority, value, vc)
    _print(img, d, (14 * s, 45.5 * s), "有效期限", label, lc)
    end = "长期" if person.valid_to is None else person.valid_to.strftime("%Y.%m.%d")
    _print(img, d, (30 * s, 45 * s), f"{person.valid_from:%Y.%m.%d}-{end}", value, vc)
    return _round_corners(img, round(3 * s), (255, 255, 255))


def _seal(size: int, text: str, seed: int = 0) -> Image.Image:
    """A red round official seal (RGBA): ring, text along the arc, a star; ink slightly uneven."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red = (210, 25, 35, 235)
    c, r = size / 2, size / 2 - 4
    d.ellipse((c - r, c - r, c + r, c + r), outline=red, width=max(3, size // 28))
    f = font(max(10, size // 9))
    n = len(text)
    for i, ch in enumerate(text):
        a = math.radians(-150 + 300 * (i + 0.5) / n) - math.pi / 2
        glyph = Image.new("RGBA", (size // 7, size // 7), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((0, 0), ch, font=f, fill=red)
        glyph = glyph.rotate(-math.degrees(a) - 90, expand=True)
        x = c + (r * 0.74) * math.cos(a) - glyph.width / 2
        y = c + (r * 0.74) * math.sin(a) - glyph.height / 2
        img.alpha_composite(glyph, (int(x), int(y)))
    pts = []
    for i in range(10):
        rr = r * (0.28 if i % 2 == 0 else 0.11)
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=red)
    rng = np.random.default_rng(seed)
    alpha = np.array(img)
    alpha[..., 3] = (alpha[..., 3] * rng.uniform(0.65, 1.0, alpha.shape[:2])).astype(np.uint8)
    return Image.fromarray(alpha)


def _fingerprint(px_per_mm: float, ink: tuple[int, int, int], seed: int = 0) -> Image.Image:
    """A pressed fingertip (RGBA, about 16 × 21 mm): concentric, slightly squashed loops with a ridge period of
    0.5 mm, wobbling with the angle (a few random low harmonics) and broken where a smooth random field is low
    (ridge endings and gaps), inside a ragged oval whose ink fades towards the edge; the ink's strength varies
    pixel by pixel like an ink pad's. Deterministic (seeded)."""
    rng = np.random.default_rng(seed)
    s = px_per_mm
    w, h = round(16 * s), round(21 * s)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = (xx - w * 0.5) / s, (yy - h * 0.55) / s  # mm from the core
    theta = np.arctan2(y, x)
    r = np.hypot(x, y / 1.3)
    wobble = sum(rng.uniform(0.05, 0.18) * np.sin(k * theta + rng.uniform(0, 2 * math.pi)) for k in (1, 2, 3))
    ridges = np.cos(2 * math.pi * (r + wobble * (0.4 + 0.15 * r)) / 0.5) > 0.05
    breaks = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.4 * s)
    ridges &= breaks > -1.0 * breaks.std()
    edge = np.hypot(x / 7.6, (y + 0.6) / 9.8) + 0.06 * np.sin(7 * theta + rng.uniform(0, 6))
    strength = np.clip((1.0 - edge) / 0.25, 0, 1) * rng.uniform(0.55, 1.0, (h, w))
    a = np.zeros((h, w, 4), np.uint8)
    a[..., :3] = ink
    a[..., 3] = (ridges * strength * 235).astype(np.uint8)
    return Image.fromarray(a)


def _a4(dpi: int) -> tuple[Image.Image, float]:
    s = dpi / 25.4
    return Image.new("RGB", (round(A4_MM[0] * s), round(A4_MM[1] * s)), (250, 250, 247)), s


@_remembered
def business_licence(
    name: str, credit_code: str, valid_to: dt.date | None = None, dpi: int = 300
) -> Image.Image:
    """A business licence (营业执照) on A4: red frame, emblem placeholder, credit code, fields, authority seal."""
    img, s = _a4(dpi)
    d = ImageDraw.Draw(img)
    w, h = img.size
    d.rectangle((10 * s, 10 * s, w - 10 * s, h - 10 * s), outline=(190, 40, 40), width=round(2.2 * s))
    d.rectangle((13 * s, 13 * s, w - 13 * s, h - 13 * s), outline=(210, 150, 60), width=round(0.8 * s))
    _emblem_placeholder(d, w / 2, 38 * s, 13 * s)
    title = font(round(13 * s))
    _print(img, d, (w / 2, 68 * s), "营 业 执 照", title, (200, 30, 35), anchor="mt")
    f, fv = font(round(4.2 * s)), font(round(4.2 * s))
    _print(img, d, (24 * s, 92 * s), f"统一社会信用代码  {credit_code}", fv, (20, 20, 20))
    rows = [
        ("名        称", name),
        ("类        型", "有限责任公司（自然人投资或控股）"),
        ("法定代表人", "张样本"),
        ("注册资本", "人民币壹佰万元整"),
        ("成立日期", "2018年03月15日"),
        ("营业期限", "2018年03月15日至" + ("长期" if valid_to is None else f"{valid_to.year}年{valid_to.month:02d}月{valid_to.day:02d}日")),
        ("住        所", "北京市海淀区示例大街1号"),
        ("经营范围", "技术开发、技术咨询、技术服务；软件开发。"),
    ]
    for i, (k, v) in enumerate(rows):
        y = (112 + i * 14) * s
        _print(img, d, (24 * s, y), k, f, (20, 20, 20))
        _print(img, d, (62 * s, y), v, fv, (20, 20, 20))
    _print(img, d, (w - 30 * s, h - 40 * s), "登记机关", f, (20, 20, 20), anchor="rt")
    _print(img, d, (w - 30 * s, h - 30 * s), "2018 年 03 月 15 日", f, (20, 20, 20), anchor="rt")
    seal = _seal(round(42 * s), "北京市海淀区市场监督管理局", seed=3)
    img.paste(seal, (round(w - 78 * s), round(h - 72 * s)), seal)
    return img


@_remembered
def verification_sheet(
    sealed: bool = True, signed: bool = True, domain: str = "example-specimen.cn", dpi: int = 300,
    subject: str = "样本科技有限公司", fingerprint: str | None = None,
) -> Image.Image:
    """The provider's verification sheet (核验单) on A4 for `subject`, with or without a red seal and a signature.

    `fingerprint` (individuals in Jiangxi and Xinjiang): the 手印 box beside the signature, holding a pressed
    fingertip in red ink pad ("red", see `_fingerprint`) or in dark ink ("dark"), a small red round seal instead
    ("seal"), or nothing ("empty"); None: no such box."""
    img, s = _a4(dpi)
    d = ImageDraw.Draw(img)
    w, h = img.size
    _print(img, d, (w / 2, 25 * s), "网站备案信息真实性核验单", font(round(8 * s)), (0, 0, 0), anchor="mt")
    f = font(round(4.2 * s))
    rows = [
        ("主体单位名称", subject),
        ("网站名称", "样本科技官网"),
        ("网站域名", domain),
        ("核验日期", "2026年11月23日"),
        ("核验点", "样本接入服务商 北京核验点"),
    ]
    top = 50 * s
    for i, (k, v) in enumerate(rows):
        y0 = top + i * 16 * s
        d.rectangle((20 * s, y0, w - 20 * s, y0 + 16 * s), outline=(0, 0, 0), width=round(0.4 * s))
        d.line((62 * s, y0, 62 * s, y0 + 16 * s), fill=(0, 0, 0), width=round(0.4 * s))
        _print(img, d, (24 * s, y0 + 5 * s), k, f, (0, 0, 0))
        _print(img, d, (66 * s, y0 + 5 * s), v, f, (0, 0, 0))
    promise = "本单位（本人）承诺所提交的备案信息真实有效，\n已知悉并同意接受当面核验。"
    d.multiline_text((20 * s, 150 * s), promise, font=f, fill=(0, 0, 0), spacing=round(3 * s))
    line_height = d.textbbox((0, 0), "A", font=f)[3] + round(3 * s)  # how multiline_text spaces its lines
    for i, line in enumerate(promise.split("\n")):
        _record(img, d, (20 * s, 150 * s + i * line_height), line, f)
    _print(img, d, (24 * s, 205 * s), "网站负责人签字：", f, (0, 0, 0))
    _print(img, d, (24 * s, 245 * s), "单位盖章：", f, (0, 0, 0))
    _print(img, d, (w - 25 * s, 270 * s), "2026 年 11 月 23 日", f, (0, 0, 0), anchor="rt")
    if signed:
        rng = np.random.default_rng(7)
        x, y = 65 * s, 212 * s
        pts = []
        for i in range(60):
            pts.append((x + i * 1.2 * s + rng.normal(0, 0.6 * s), y + 6 * s * math.sin(i / 3.0) + rng.normal(0, 0.8 * s)))
        d.line(pts, fill=(20, 30, 110), width=round(0.6 * s), joint="curve")
        d.line([(x + 5 * s, y + 8 * s), (x + 60 * s, y - 4 * s)], fill=(20, 30, 110), width=round(0.6 * s))
    if fingerprint is not None:
        _print(img, d, (150 * s, 205 * s), "手印：", f, (0, 0, 0))
        inks = {"red": (185, 30, 45), "dark": (45, 40, 55)}
        if fingerprint in inks:
            press = _fingerprint(s, inks[fingerprint], seed=11)
            img.paste(press, (round(166 * s), round(201 * s)), press)
        elif fingerprint == "seal":
            small = _seal(round(20 * s), "样本印章", seed=6)
            img.paste(small, (round(166 * s), round(202 * s)), small)
    if sealed:
        seal = _seal(round(40 * s), subject, seed=5)
        img.paste(seal, (round(50 * s), round(225 * s)), seal)
    return img


@_remembered
def domain_certificate(domain: str = "example-specimen.cn", valid_to: dt.date = dt.date(2028, 6, 30), dpi: int = 300,
                       owner: str = "样本科技有限公司", text_mm: float = 4.5) -> Image.Image:
    """A registrar's domain certificate (域名注册证书) on A4; its rows printed `text_mm` high (4.5 mm, about 13 pt;
    2.5 mm is small print, about 7 pt)."""
    img, s = _a4(dpi)
    d = ImageDraw.Draw(img)
    w, h = img.size
    d.rectangle((12 * s, 12 * s, w - 12 * s, h - 12 * s), outline=(30, 80, 160), width=round(2 * s))
    _print(img, d, (w / 2, 35 * s), "域名注册证书", font(round(10 * s)), (30, 80, 160), anchor="mt")
    f = font(round(text_mm * s))
    rows = [
        ("域名", domain),
        ("注册所有人", owner),
        ("注册日期", "2020年06月30日"),
        ("到期日期", f"{valid_to.year}年{valid_to.month:02d}月{valid_to.day:02d}日"),
        ("注册服务机构", "样本域名注册服务有限公司"),
    ]
    for i, (k, v) in enumerate(rows):
        _print(img, d, (30 * s, (80 + i * 18) * s), f"{k}：", f, (20, 20, 20))
        _print(img, d, (80 * s, (80 + i * 18) * s), v, f, (20, 20, 20))
    seal = _seal(round(38 * s), "样本域名注册服务有限公司", seed=9)
    img.paste(seal, (round(w - 75 * s), round(h - 80 * s)), seal)
    return img


# ---- capture simulations ---------------------------------------------------------------------------------------


@_remembered
def flatbed(doc: Image.Image, margin: float = 0.06, angle: float = 1.2, seed: int = 0) -> Image.Image:
    """A flatbed scan: the document on a near-white bed with a faint lid shadow, slightly rotated."""
    rng = np.random.default_rng(seed)
    m = round(max(doc.size) * margin)
    shadow = Image.new("L", doc.size, 0)
    ImageDraw.Draw(shadow).rounded_rectangle((0, 0, doc.width - 1, doc.height - 1), 8, fill=255)
    rotated_mask = shadow.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    rotated = doc.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(236, 236, 233))
    upright = abs(((angle + 45) % 180) - 45) < 45  # within 45° of landscape/portrait as drawn
    w, h = (doc.width, doc.height) if upright else (doc.height, doc.width)
    bed = Image.new("RGB", (w + 2 * m, h + 2 * m), (236, 236, 233))
    ox, oy = (bed.width - rotated.width) // 2, (bed.height - rotated.height) // 2
    edge = rotated_mask.filter(ImageFilter.GaussianBlur(3))
    bed.paste((150, 150, 150), (ox + 2, oy + 2), edge)
    bed.paste(rotated, (ox, oy), rotated_mask)
    a = np.asarray(bed).astype(np.float32) + rng.normal(0, 1.5, (bed.height, bed.width, 1))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


@_remembered
def photograph(
    doc: Image.Image,
    size: tuple[int, int] = (2000, 1500),
    fill: float = 0.72,
    tilt: float = 0.08,
    rotate: float = 4.0,
    seed: int = 0,
    noise: float = 3.0,
) -> Image.Image:
    """A document-camera or phone photograph: perspective, a dark wooden table, light falloff, sensor noise."""
    rng = np.random.default_rng(seed)
    W, H = size
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    grain = 8 * np.sin(xx / 9.0 + 3 * np.sin(yy / 60.0)) + rng.normal(0, 4, (H, W))
    table = np.stack([95 + grain, 62 + grain * 0.8, 40 + grain * 0.5], axis=-1)
    src = np.array([[0, 0], [doc.width, 0], [doc.width, doc.height], [0, doc.height]], np.float32)
    scale = min(W * fill / doc.width, H * fill / doc.height)
    dw, dh = doc.width * scale, doc.height * scale
    cx, cy = W / 2 + rng.uniform(-0.04, 0.04) * W, H / 2 + rng.uniform(-0.04, 0.04) * H
    a = math.radians(rotate)
    corners = []
    for i, (px, py) in enumerate([(-dw / 2, -dh / 2), (dw / 2, -dh / 2), (dw / 2, dh / 2), (-dw / 2, dh / 2)]):
        shrink = 1 - tilt if i < 2 else 1.0  # the far edge looks shorter
        px *= shrink
        corners.append((cx + px * math.cos(a) - py * math.sin(a), cy + px * math.sin(a) + py * math.cos(a)))
    dst = np.array(corners, np.float32)
    M = cv2.getPerspectiveTransform(src, dst)
    d = np.asarray(doc.convert("RGB")).astype(np.float32)
    warped = cv2.warpPerspective(d, M, (W, H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(doc.size[::-1], np.float32), M, (W, H), flags=cv2.INTER_LINEAR)[..., None]
    img = table * (1 - mask) + warped * mask
    light = 0.85 + 0.2 * (1 - ((xx - W * 0.3) ** 2 + (yy - H * 0.2) ** 2) / (W**2 + H**2))
    img = img * light[..., None] + rng.normal(0, noise, (H, W, 1))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def greyscale(img: Image.Image) -> Image.Image:
    """A black-and-white scan (converted to grey, stored as RGB like most scanners do)."""
    return img.convert("L").convert("RGB")


def photocopy(img: Image.Image, seed: int = 0) -> Image.Image:
    """A photocopy scanned in colour: grey, high contrast, toner speckle, a slight warm paper cast."""
    rng = np.random.default_rng(seed)
    g = np.asarray(img.convert("L")).astype(np.float32)
    g = np.clip((g - 60) * 1.5, 0, 255) + rng.normal(0, 6, g.shape)
    rgb = np.stack([g, g * 0.985, g * 0.95], axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def blur(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def glare(img: Image.Image, centre: tuple[float, float], radius: float) -> Image.Image:
    """A specular highlight: a bright spot that clips to white in its core (centre and radius in fractions)."""
    a = np.asarray(img).astype(np.float32)
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r2 = ((xx - centre[0] * w) ** 2 + (yy - centre[1] * h) ** 2) / (radius * max(w, h)) ** 2
    spot = np.exp(-r2 * 1.5) * 420
    return Image.fromarray(np.clip(a + spot[..., None], 0, 255).astype(np.uint8))


def cut(img: Image.Image, left: float = 0.0, top: float = 0.0, right: float = 0.0, bottom: float = 0.0) -> Image.Image:
    """Crop fractions off the sides (a scan or photo that cuts the document's edge)."""
    w, h = img.size
    return img.crop((round(left * w), round(top * h), round(w * (1 - right)), round(h * (1 - bottom))))


def screen_photo(doc: Image.Image, seed: int = 0) -> Image.Image:
    """A photo of the document shown on a monitor: RGB subpixel stripes and moiré bands, bluish, glowing."""
    a = np.asarray(doc.convert("RGB")).astype(np.float32)
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    stripes = np.zeros_like(a)
    for c in range(3):
        stripes[..., c] = 0.55 + 0.45 * (np.mod(xx + c, 3.0) < 1.2)
    rows = 0.8 + 0.2 * (np.mod(yy, 3.0) < 2.0)
    moire = 1 + 0.12 * np.sin(2 * math.pi * (xx * 0.021 + yy * 0.013))
    img = a * stripes * rows[..., None] * moire[..., None]
    img[..., 2] *= 1.08
    img = np.clip(img * 1.25, 0, 255).astype(np.uint8)
    shot = Image.fromarray(img)
    return photograph(shot, seed=seed, fill=0.8, tilt=0.03, rotate=1.5)


def low_resolution(img: Image.Image, factor: float) -> Image.Image:
    return img.resize((round(img.width * factor), round(img.height * factor)), Image.Resampling.LANCZOS)


def two_sides_on_a4(front: Image.Image, back: Image.Image, dpi: int = 300) -> Image.Image:
    """Both ID sides photocopied... no: scanned in colour onto one A4 page, one above the other."""
    page, s = _a4(dpi)
    card_w = round(CARD_MM[0] * s)
    f = front.resize((card_w, round(card_w * front.height / front.width)), Image.Resampling.LANCZOS)
    b = back.resize((card_w, round(card_w * back.height / back.width)), Image.Resampling.LANCZOS)
    x = (page.width - card_w) // 2
    page.paste(f, (x, round(40 * s)))
    page.paste(b, (x, round(150 * s)))
    shadow = flatbed(page, margin=0.02, angle=0.4)
    return shadow


def jpeg_bytes(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class CannedOcr:
    """A fake OCR engine: it "reads" the text a specimen printed, where it was printed (`printed_lines`), placed on
    the image it is given (the normalised document: the card rectified to ID-1, the sheet cropped to the paper),
    with a confident score. No models are loaded: for tests and `python -m kiosk demo --canned-ocr`."""

    name = "canned"
    SCORE = 0.97  # as confident as the real engine on clean print

    def __init__(self, lines: tuple[PrintedLine, ...]) -> None:
        self.lines = lines
        self.calls = 0

    def read(self, image: np.ndarray) -> list[TextLine]:
        self.calls += 1
        h, w = image.shape[:2]
        return [TextLine(text, (x0 * w, y0 * h, x1 * w, y1 * h), self.SCORE) for text, (x0, y0, x1, y1) in self.lines]
