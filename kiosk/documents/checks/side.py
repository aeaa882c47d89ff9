"""ID card side: the portrait side (姓名, 公民身份号码 …) vs the national-emblem side (签发机关, 有效期限 …),
told apart by the printed labels that OCR reads."""

from __future__ import annotations

from kiosk.documents.kinds import ID_FRONT
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "side"

PORTRAIT = Text("人像面", "portrait side")
EMBLEM = Text("国徽面", "national-emblem side")


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    if not obs.spec.card:
        return skipped(CODE, reason="not_a_card", message=Text("不是身份证", "Not an ID card"))
    front = len(obs.readings.get("front_keywords", []))
    back = len(obs.readings.get("back_keywords", []))
    want_front = obs.spec.family == ID_FRONT
    mine, other = (front, back) if want_front else (back, front)
    need = cfg.side_min_keywords
    expected, seen = (PORTRAIT, EMBLEM) if want_front else (EMBLEM, PORTRAIT)
    details = {"front_keywords": front, "back_keywords": back}
    if other > mine and other >= need:
        return failed(CODE, reason="wrong_side", value=float(mine), threshold=need,
                      message=Text(f"这是身份证{seen.zh}，此处需要{expected.zh}", f"This is the {seen.en}; this slot needs the {expected.en}"),
                      **details)
    if mine < need:
        return failed(CODE, reason="side_unrecognised", value=float(mine), threshold=need,
                      message=Text(f"无法识别为身份证{expected.zh}", f"Not recognised as the ID card's {expected.en}"), **details)
    return passed(CODE, value=float(mine), threshold=need, message=Text(f"身份证{expected.zh}", f"ID card {expected.en}"), **details)
