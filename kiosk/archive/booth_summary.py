"""The liveness test and the face match of an accepted booth photo, in words for the audit page and the PDF.

Both read only what was sealed with the attempt (`PhotoAttempt.liveness`, `PhotoAttempt.identity`); nothing is
re-run. A photo taken with liveness off, or not matched yet, says so instead of showing nothing.
"""

from __future__ import annotations

from typing import Any

from kiosk.identity.case_match import match_summary, verdict_name
from kiosk.text import Text

OUTCOMES = {"passed": Text("通过", "passed"), "failed": Text("未通过", "failed"),
            "skipped": Text("由工作人员跳过", "skipped by staff")}


def _text(value: Any) -> Text | None:
    return Text(value.get("zh", ""), value.get("en", "")) if isinstance(value, dict) else None


def liveness_lines(liveness: dict[str, Any] | None) -> list[Text]:
    """The sealed liveness result as lines: outcome and time, each challenge with its seconds, the reason of a
    failure (a screen or print seen in front of the camera among them) and who skipped it and why."""
    if not liveness:
        return [Text("活体检测：未进行（该工位未开启）", "Liveness: not run (off at this booth)")]
    outcome = OUTCOMES.get(str(liveness.get("outcome")), Text(str(liveness.get("outcome")), str(liveness.get("outcome"))))
    duration = liveness.get("duration_s")
    took = Text(f"，用时 {duration:.1f} 秒", f", took {duration:.1f} s") if isinstance(duration, (int, float)) else Text("", "")
    lines = [Text(f"活体检测：{outcome.zh}{took.zh}", f"Liveness: {outcome.en}{took.en}")]
    for c in liveness.get("challenges") or []:
        name = _text(c.get("name")) or Text(str(c.get("challenge")), str(c.get("challenge")))
        done = Text("完成", "done") if c.get("passed") else Text("未完成", "not done")
        secs = c.get("seconds")
        sec = Text(f"（{secs:.1f} 秒）", f" ({secs:.1f} s)") if isinstance(secs, (int, float)) else Text("", "")
        lines.append(Text(f"· {name.zh}：{done.zh}{sec.zh}", f"· {name.en}: {done.en}{sec.en}"))
    message = _text(liveness.get("message"))
    if liveness.get("outcome") == "failed" and message and message.zh:
        lines.append(Text(f"原因：{message.zh}", f"Reason: {message.en}"))
    if liveness.get("outcome") == "skipped":
        reason = liveness.get("skip_reason") or ""
        lines.append(Text(f"跳过原因：{reason}", f"Reason for skipping: {reason}"))
    return lines


def identity_lines(identity: dict[str, Any] | None) -> list[Text]:
    """The sealed face match as lines: the overall verdict, then each card's distance against its limit."""
    if not identity:
        return [Text("人脸比对：尚未比对", "Face match: not run yet")]
    lines = [match_summary(identity)]
    for c in identity.get("cards") or []:
        card_verdict = verdict_name(c.get("verdict"))
        distance, limit = c.get("distance"), c.get("threshold")
        if isinstance(distance, (int, float)) and isinstance(limit, (int, float)):
            lines.append(Text(f"· 与身份证人像距离 {distance:.2f}（上限 {limit:.2f}，越小越像）：{card_verdict.zh}",
                              f"· Distance to the ID card portrait {distance:.2f} (limit {limit:.2f}, lower is "
                              f"closer): {card_verdict.en}"))
        else:
            lines.append(Text(f"· 身份证人像：{card_verdict.zh}", f"· ID card portrait: {card_verdict.en}"))
    return lines
