"""The checks of the photo judge: an explicit registry, ordered by what the applicant should fix first."""

from __future__ import annotations

from kiosk.photo.checks import (
    backdrop,
    centred,
    colour,
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
)
from kiosk.photo.checks.base import Check
from kiosk.photo.vision import Observation

# Order = what to fix first: someone must be there, alone, in person; then where they stand, then
# their arms, head wear and glasses, head pose; finally what staff fix (light, focus, camera, backdrop).
CHECKS: tuple[Check, ...] = (
    Check(person.CODE, person.check, "a person is in the frame"),
    Check(single_person.CODE, single_person.check, "exactly one person"),
    Check(real_photo.CODE, real_photo.check, "a real photo, not a drawing or screen"),
    Check(framing.CODE, framing.check, "upper body, head to waist, with margins"),
    Check(centred.CODE, centred.check, "body midline and face near the frame centre"),
    Check(hands.CODE, hands.check, "both arms hanging at the sides"),
    Check(hat.CODE, hat.check, "no hat or head covering"),
    Check(glasses.CODE, glasses.check, "no glasses or sunglasses"),
    Check(frontal.CODE, frontal.check, "head facing the camera"),
    Check(exposure.CODE, exposure.check, "face well exposed"),
    Check(sharp.CODE, sharp.check, "face sharp"),
    Check(colour.CODE, colour.check, "a colour image"),
    Check(backdrop.CODE, backdrop.check, "in front of the calibrated backdrop"),
)

CHECK_CODES: tuple[str, ...] = tuple(c.code for c in CHECKS)


def prepare(obs: Observation) -> None:
    """Frame measures that need no body pose, computed in the models' helper thread while the pose model
    runs; the checks then read them from the observation's cache."""
    obs.gray  # noqa: B018 - warm the cached grey image
    obs.small_mask  # noqa: B018
    real_photo.flat_fraction(obs)
    colour.colourfulness(obs)
    sharp.sharpness(obs)
    face_norm.normalised_face(obs)
