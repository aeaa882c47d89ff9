"""Language choice for pages: Chinese first, English on request (cookie `lang`, or `?lang=en`)."""

from __future__ import annotations

from flask import request

from kiosk.text import Text

LANGUAGES = ("zh", "en")


def current_lang() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGUAGES else "zh"


def tr(zh: str | Text, en: str | None = None) -> str:
    """`tr("案件", "Cases")` or `tr(Text(...))`: the text in the page's language."""
    if isinstance(zh, Text):
        return zh.get(current_lang())
    return en if current_lang() == "en" and en is not None else zh
