"""The checks of the photo judge: an explicit registry, ordered by what the applicant should fix first."""

from __future__ import annotations

from kiosk.checkresult import CheckResult
from kiosk.checkresult import describe as describe_result
from kiosk.photo.checks import (
    backdrop,
    centred,
    clothing_colour,
    colour,
    curtain_edge,
    curtain_head,
    exposure,
    face_norm,
    framing,
    frontal,
    glasses,
    hands,
    hat,
    person,
    real_photo,
    sharp,
    single_person,
    wordmark,
)
from kiosk.photo.checks.base import Check
from kiosk.photo.vision import Observation
from kiosk.text import Text

# Order = what to fix first: someone must be there, alone, in person; then where they stand, then
# their arms, head wear and glasses, head pose; finally what staff fix (light, focus, camera, backdrop).
CHECKS: tuple[Check, ...] = (
    person.CHECK,
    single_person.CHECK,
    real_photo.CHECK,
    framing.CHECK,
    centred.CHECK,
    hands.CHECK,
    hat.CHECK,
    glasses.CHECK,
    frontal.CHECK,
    exposure.CHECK,
    sharp.CHECK,
    colour.CHECK,
    backdrop.CHECK,
    curtain_head.CHECK,
    curtain_edge.CHECK,
    wordmark.CHECK,
    clothing_colour.CHECK,
)
CHECKS_BY_CODE: dict[str, Check] = {c.code: c for c in CHECKS}

CHECK_CODES: tuple[str, ...] = tuple(c.code for c in CHECKS)


def describe(result: CheckResult) -> Text:
    """A photo check's result in words with its value, unit and limit (see kiosk.checkresult.describe), e.g.
    "头部左右偏转 12°（上限 20°）" / "Head turned 12° (limit 20°)"."""
    return describe_result(result, CHECKS_BY_CODE.get(result.code))


def prepare(obs: Observation) -> None:
    """Frame measures that need no body pose, computed in the models' helper thread while the pose model
    runs; the checks then read them from the observation's cache."""
    obs.gray  # noqa: B018 - warm the cached grey image
    obs.small_mask  # noqa: B018
    real_photo.flat_fraction(obs)
    real_photo.segments(obs)
    real_photo.head_segments(obs)
    real_photo.grid_peak(obs)
    colour.colourfulness(obs)
    sharp.sharpness(obs)
    face_norm.normalised_face(obs)
    face_norm.normalised_mask(obs)
    face_norm.normalised_lab(obs)
    face_norm.normalised_dy(obs)  # and the grey face it is taken from
