"""The booth's body outline follows the kiosk's calibrated geometry (kiosk.booth.guide): the default outline
without a profile, the stored guide or the curtain region's with one; the booth screen serves it."""

from __future__ import annotations

import re

from kiosk import profiles
from kiosk.booth.guide import DEFAULT, Guide, guide_for_profile, guide_from_region
from tests.booth.conftest import new_onsite_case, open_booth
from web.db import get_database

# The outline the booth drew before calibration existed (web/templates/booth/_guide.svg.html, unchanged).
ORIGINAL_PATH = ("M 640 40 C 580 40 545 95 545 165 C 545 225 570 270 600 292 L 600 318 C 560 330 470 345 430 372 "
                 "C 395 395 385 440 382 500 L 375 720 M 640 40 C 700 40 735 95 735 165 C 735 225 710 270 680 292 "
                 "L 680 318 C 720 330 810 345 850 372 C 885 395 895 440 898 500 L 905 720")


def test_without_a_profile_the_outline_is_the_default() -> None:
    assert guide_for_profile(None) == DEFAULT and not DEFAULT.calibrated
    assert DEFAULT.path() == ORIGINAL_PATH
    assert guide_for_profile({"thresholds": {}}) == DEFAULT


def test_a_curtain_region_moves_the_head_inside_the_curtain_and_narrows_the_outline() -> None:
    """A curtain whose top edge is at 20 % of the frame and which spans x 0.30..0.70 (narrower than the shoulders)."""
    guide = guide_from_region([0.30, 0.20, 0.70, 1.0])
    assert guide.calibrated and guide.centre_x == 0.5
    assert guide.head_top >= 0.20 + 0.05  # the head top inside the curtain, below its edge
    assert guide.scale < 1 and guide.shoulder_y > DEFAULT.shoulder_y
    off_centre = guide_from_region([0.0, 0.0, 0.8, 1.0])
    assert off_centre.centre_x == 0.4 and off_centre.path().startswith("M 512 ")
    assert guide_from_region([0.0, 0.0, 1.0, 1.0]).path() == ORIGINAL_PATH  # a full-frame curtain: as before


def test_a_stored_guide_wins_over_the_region_and_a_broken_one_falls_back() -> None:
    stored = {"centre_x": 0.45, "head_top": 0.1, "scale": 0.8}
    assert guide_for_profile({"guide": stored, "backdrop": {"region": [0, 0, 1, 1]}}) == Guide(0.45, 0.1, 0.8, True)
    assert guide_for_profile({"guide": {"centre_x": "x"}, "backdrop": {"region": [0.3, 0.2, 0.7, 1.0]}}) \
        == guide_from_region([0.3, 0.2, 0.7, 1.0])
    assert guide_for_profile({"thresholds": {"curtain_region": [0.3, 0.2, 0.7, 1.0]}}).calibrated


def _served_guide(booth) -> dict[str, str]:
    page = booth.get("/booth").data.decode()
    svg = re.search(r'<svg class="guide mirror"[^>]*>\s*<path d="([^"]+)"', page, re.S)
    attrs = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', svg.group(0)))
    return {**attrs, "path": svg.group(1)}


def test_the_booth_screen_serves_the_guide_of_the_current_profile(booth_app, staff, enterprise_form) -> None:
    booth = booth_app.test_client()
    open_booth(staff, booth, new_onsite_case(staff, enterprise_form))
    before = _served_guide(booth)
    assert before["calibrated"] == "no" and before["path"] == ORIGINAL_PATH
    region = [0.25, 0.18, 0.75, 1.0]
    with get_database(booth_app).session() as s:
        profiles.new_version(s, booth_app.config["KIOSK_SETTINGS"].kiosk_name,
                             {"thresholds": {}, "backdrop": {"region": region}, "guide": guide_from_region(region).as_dict()})
    after = _served_guide(booth)
    expected = guide_from_region(region)
    assert after["calibrated"] == "yes" and after["path"] == expected.path() != ORIGINAL_PATH
    assert float(after["head-top"]) == expected.head_top and float(after["shoulder-y"]) == expected.shoulder_y
