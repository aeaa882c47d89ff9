"""The one check protocol shared by the photo judge and the document checks.

- `CheckResult`: a small, frozen, JSON-able record with a machine-readable reason code and a bilingual message.
- `passed` / `failed` / `uncertain` / `skipped` / `errored`: keyword-only constructors, so a value can never land in the
  threshold's place.
- `Check` and `run_checks`: an explicit registry entry and the one executor that isolates failures (a check that
  raises becomes an `error` result and the others still run).
- `Thresholds`: the base of the frozen threshold dataclasses (`JudgeConfig`, `DocumentThresholds`), loaded from
  a per-kiosk JSON profile with in-code defaults.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Self, TypeVar

from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)


class CheckStatus(StrEnum):
    """How one check came out. `skipped`: not applicable (e.g. no face for a face check); `error`: it raised;
    `uncertain`: the measure fell in the grey band around its threshold, so a person confirms it (the booth may
    capture; staff confirm the item with one tap at acceptance)."""

    PASS = "pass"
    FAIL = "fail"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"
    ERROR = "error"


PASS = CheckStatus.PASS
FAIL = CheckStatus.FAIL
UNCERTAIN = CheckStatus.UNCERTAIN
SKIPPED = CheckStatus.SKIPPED
ERROR = CheckStatus.ERROR


class Limit(StrEnum):
    """Which side of its threshold a measured value must stay on."""

    MAX = "max"      # value <= threshold
    MIN = "min"      # value >= threshold
    RANGE = "range"  # lo <= value <= hi (threshold "lo..hi")
    EQUAL = "equal"  # value == threshold (e.g. no mismatches: 0)


OK = Text("合格", "OK")
CHECK_ERROR = Text("检查出错，请重试", "This check failed to run; please try again")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check on one photo frame or one document.

    `passed` is True for "pass" and "skipped" (a skipped check does not block the verdict: the check that made
    it inapplicable fails instead). `value` is the measured figure compared with `threshold`; `reason` is a
    machine-readable code; `message` the instruction a person can follow.
    """

    code: str
    status: str
    value: float | None = None
    threshold: float | str | None = None
    reason: str = "ok"
    message: Text = Text("", "")
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Holds without a person's confirmation ("pass" or "skipped")."""
        return self.status in (PASS, SKIPPED)

    @property
    def blocking(self) -> bool:
        """Stops a capture or an acceptance ("fail" or "error")."""
        return self.status in (FAIL, ERROR)

    @property
    def needs_confirmation(self) -> bool:
        """In the grey band: a person must confirm it ("uncertain")."""
        return self.status == UNCERTAIN

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": str(self.status),
            "passed": self.passed,
            "value": jsonable(self.value),
            "threshold": jsonable(self.threshold),
            "reason": self.reason,
            "message": self.message.as_dict(),
            "details": jsonable(self.details),
        }


def passed(code: str, /, *, value: float | None = None, threshold: float | str | None = None,
           message: Text = OK, **details: Any) -> CheckResult:
    """The check holds."""
    return CheckResult(code, PASS, value, threshold, "ok", message, details)


def failed(code: str, /, *, reason: str, message: Text, value: float | None = None,
           threshold: float | str | None = None, **details: Any) -> CheckResult:
    """The check does not hold: `reason` is the code, `message` what the person should do."""
    return CheckResult(code, FAIL, value, threshold, reason, message, details)


def skipped(code: str, /, *, reason: str, message: Text, **details: Any) -> CheckResult:
    """The check does not apply to this input."""
    return CheckResult(code, SKIPPED, None, None, reason, message, details)


def uncertain(code: str, /, *, reason: str, message: Text, value: float | None = None,
              threshold: float | str | None = None, **details: Any) -> CheckResult:
    """The measure is within the check's grey band: `message` says what a person should confirm."""
    return CheckResult(code, UNCERTAIN, value, threshold, reason, message, details)


def grade(value: float, threshold: float, band: float | tuple[float, float] = 0.0,
          limit: Limit | str = "max") -> CheckStatus:
    """PASS, UNCERTAIN or FAIL for `value` against `threshold` with a grey `band` around it.

    For a "max" limit the value fails above threshold + band and passes at or below threshold - band; in
    between it is uncertain ("min" mirrors that). `band` is one width for both sides or (below, above).
    """
    below, above = band if isinstance(band, tuple) else (band, band)
    if limit == Limit.MIN:
        value, threshold, below, above = -value, -threshold, above, below
    if value > threshold + above:
        return FAIL
    if value > threshold - below:
        return UNCERTAIN
    return PASS


def errored(code: str, exc: BaseException, *, message: Text = CHECK_ERROR) -> CheckResult:
    """The check itself raised `exc`."""
    return CheckResult(code, ERROR, None, None, "check_error", message, {"error": f"{type(exc).__name__}: {exc}"})


ObsT = TypeVar("ObsT")
CfgT = TypeVar("CfgT")


Unit = str | Text  # "°", "%", "px" read the same in both languages; Text("天", "days") does not


@dataclass(frozen=True, slots=True)
class Measure:
    """How staff read one measured value: its name, unit and the direction of its limit.

    `scale` converts the stored value for display (0.12 of the frame width x 100 = 12 %), `digits` is the
    number of decimals shown. `limit_unit`: the limit's own unit when it differs from the value's (a document
    valid for 45 more days against a limit of 3 months); the limit is then shown unscaled.
    """

    name: Text
    unit: Unit = ""
    limit: Limit | None = None
    scale: float = 1.0
    digits: int = 0
    limit_unit: Unit | None = None


@dataclass(frozen=True, slots=True)
class Check(Generic[ObsT, CfgT]):
    """A registered check: its code, the function `run(observation, thresholds)`, a one-line description,
    and optionally the words staff read (`name`; `unit`, `limit`, `scale`, `digits`, `limit_unit` of its value).

    A check that reports one of several measures (head turn, nod or tilt) names them in `measures`, keyed by
    the `measure` detail of its result; the others use `name`/`unit`/`limit`.
    """

    code: str
    run: Callable[[ObsT, CfgT], CheckResult]
    description: str = ""
    name: Text | None = None
    unit: Unit = ""
    limit: Limit | None = None
    scale: float = 1.0
    digits: int = 0
    measures: dict[str, Measure] = field(default_factory=dict)
    limit_unit: Unit | None = None

    def measure(self, result: CheckResult | None = None) -> Measure:
        """The measure `result` reports (by its `measure` detail, or its `unit` detail: a document's resolution
        in px or dpi), else the check's own."""
        details = result.details if result is not None else {}
        key = details.get("measure") or details.get("unit")
        if isinstance(key, str) and key in self.measures:
            return self.measures[key]
        return Measure(self.name or Text(self.code, self.code), self.unit, self.limit, self.scale, self.digits,
                       self.limit_unit)


STATUS_TEXT: dict[str, Text] = {
    PASS: Text("合格", "passed"),
    FAIL: Text("不合格", "failed"),
    UNCERTAIN: Text("待确认", "to confirm"),
    SKIPPED: Text("未检查", "not checked"),
    ERROR: Text("检查出错", "check error"),
}


def describe(result: CheckResult, check: Check[Any, Any] | None = None) -> Text:
    """The result in words with its value and limit, e.g. "头部偏转 12°（上限 20°）" / "Head turned 12°
    (limit 20°)". Without a value (skipped, errored, or a check that measures no number) the measure's name
    and the result's message."""
    m = check.measure(result) if check is not None else Measure(Text(result.code, result.code))
    if result.value is None or result.status in (SKIPPED, ERROR):
        if not result.message.zh:
            return m.name
        return Text(f"{m.name.zh}：{result.message.zh}", f"{m.name.en}: {result.message.en}")
    zh, en = (_reading(result.value, result.threshold, m, lang) for lang in ("zh", "en"))
    return Text(zh, en)


LIMIT_WORDS: dict[Limit, Text] = {Limit.MIN: Text("下限", "minimum"), Limit.MAX: Text("上限", "limit"),
                                   Limit.RANGE: Text("范围", "range"), Limit.EQUAL: Text("应为", "must be")}


def _reading(value: float, threshold: float | str | None, m: Measure, lang: str) -> str:
    """ "清晰度 0.62（下限 0.40）" in Chinese, "Sharpness 0.62 (minimum 0.40)" in English."""
    shown = f"{m.name.get(lang)} {_number(value, m.scale, m.digits, m.unit, lang)}"
    limit = _limit_text(threshold, m, lang)
    if limit is None:
        return shown
    return f"{shown}（{limit}）" if lang == "zh" else f"{shown} ({limit})"


def _number(value: float, scale: float, digits: int, unit: Unit, lang: str) -> str:
    """ "12°", "8%", "1200 px", "45天" / "45 days": `value` x `scale` with `digits` decimals and its unit."""
    text = f"{float(value) * scale:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    if isinstance(unit, Text):  # a word: "45天" in Chinese, "45 days" in English
        return f"{text}{unit.zh}" if lang == "zh" else f"{text} {unit.en}"
    return f"{text}{unit}" if unit in ("°", "%", "") else f"{text} {unit}"


def _limit_text(threshold: float | str | None, m: Measure, lang: str) -> str | None:
    """ "下限 0.40", "范围 60–200", "应为 0"; a limit that is no number (a standard's name) as "要求 GB 11643"."""
    if threshold is None or m.limit is None:
        return None
    unit, scale = (m.unit, m.scale) if m.limit_unit is None else (m.limit_unit, 1.0)
    if isinstance(threshold, str):
        lo, sep, hi = threshold.partition("..")
        try:
            lo_n, hi_n = float(lo), float(hi or lo)
        except ValueError:
            return f"要求 {threshold}" if lang == "zh" else f"required: {threshold}"
        if sep:
            span = f"{_number(lo_n, scale, m.digits, unit, lang)}–{_number(hi_n, scale, m.digits, unit, lang)}"
            return f"{LIMIT_WORDS[Limit.RANGE].get(lang)} {span}"
        threshold = lo_n
    return f"{LIMIT_WORDS[m.limit].get(lang)} {_number(float(threshold), scale, m.digits, unit, lang)}"


def run_checks(checks: Iterable[Check[ObsT, CfgT]], obs: ObsT, cfg: CfgT, *,
               error_message: Text = CHECK_ERROR) -> tuple[CheckResult, ...]:
    """Run every check on one observation; a check that raises becomes an `error` result, the others still run."""
    results: list[CheckResult] = []
    for check in checks:
        try:
            results.append(check.run(obs, cfg))
        except Exception as exc:  # one broken check must not hide the others
            log.exception("check %s failed", check.code)
            results.append(errored(check.code, exc, message=error_message))
    return tuple(results)


class UnknownThresholdError(KioskError, ValueError):
    """A profile or override names a threshold that does not exist."""


class Thresholds:
    """Base of the frozen threshold dataclasses: defaults in code, overrides from a dict or a JSON profile.

    Subclasses are `@dataclass(frozen=True, slots=True)` and set `PROFILE_SECTION`, the key of their overrides
    in a profile file (`{"thresholds": {...}, "documents": {...}, "camera": {...}}`).
    """

    __slots__ = ()
    PROFILE_SECTION = "thresholds"

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Self:
        """Defaults with `data`'s overrides; unknown keys raise UnknownThresholdError("profile_unknown_key").
        JSON lists become tuples (tuple-valued thresholds such as a colour or a region)."""
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]  # subclasses are dataclasses
        data = dict(data or {})
        unknown = sorted(set(data) - known)
        if unknown:
            raise UnknownThresholdError(
                "profile_unknown_key",
                Text(f"配置文件包含未知项：{', '.join(unknown)}", f"Unknown key(s) in profile: {', '.join(unknown)}"),
            )
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return replace(cls(), **values)  # type: ignore[type-var]  # Self is a dataclass here; mypy cannot see it through the base

    @classmethod
    def from_profile(cls, path: str | Path) -> Self:
        """Load the class's section of a per-kiosk JSON profile (a flat dict counts as the photo thresholds)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KioskError(
                "profile_unreadable", Text(f"无法读取配置文件：{path}", f"Cannot read profile: {path} ({exc})")
            ) from exc
        if not isinstance(data, dict):
            raise KioskError("profile_unreadable", Text("配置文件格式错误", "Profile must be a JSON object"))
        if cls.PROFILE_SECTION in data:
            data = data[cls.PROFILE_SECTION]
        elif cls.PROFILE_SECTION != "thresholds" or any(isinstance(v, dict) for v in data.values()):
            data = {}  # a profile without this section: the defaults (a flat profile holds photo thresholds)
        if not isinstance(data, dict):
            raise KioskError("profile_unreadable", Text("配置文件格式错误", "Profile must be a JSON object"))
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Every threshold by name, tuples as lists (JSON-ready, values unrounded)."""
        data = asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def jsonable(value: Any) -> Any:
    """Plain JSON types from numpy scalars, tuples, dates and nested containers."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return str(value)  # StrEnum members become plain strings
    if isinstance(value, float):
        return round(value, 4) if value == value else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return jsonable(value.item())
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    return str(value)


class ResultsView:
    """What a photo verdict and a document report both answer about their `results` (mixed into their dataclasses)."""

    __slots__ = ()
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """Every result that did not plainly pass (failed, errored or uncertain)."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def capturable(self) -> bool:
        """Nothing blocks: every check passed, was skipped or is uncertain (to be confirmed by staff)."""
        return not any(r.blocking for r in self.results)

    @property
    def uncertain(self) -> tuple[CheckResult, ...]:
        """The results a person must confirm."""
        return tuple(r for r in self.results if r.needs_confirmation)

    def result(self, code: str) -> CheckResult | None:
        return next((r for r in self.results if r.code == code), None)
