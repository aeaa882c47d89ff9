"""The sealed liveness result and face match in words (kiosk.archive.booth_summary)."""

from __future__ import annotations

from kiosk.archive.booth_summary import identity_lines, liveness_lines

PASSED = {"outcome": "passed", "duration_s": 5.24, "message": {"zh": "活体检测通过", "en": "Liveness passed"},
          "challenges": [{"challenge": "blink", "name": {"zh": "眨眼", "en": "Blink"}, "passed": True, "seconds": 1.31},
                         {"challenge": "turn_left", "name": {"zh": "向左转头", "en": "Turn left"}, "passed": True,
                          "seconds": 2.02}]}
SCREEN = {"outcome": "failed", "reason": "screen_or_print", "duration_s": 3.0, "challenges": [],
          "message": {"zh": "镜头前疑似有屏幕或照片，请联系工作人员", "en": "A screen or photo seems to be held up"}}


def test_a_passed_liveness_names_each_challenge_with_its_seconds() -> None:
    lines = liveness_lines(PASSED)
    assert [t.zh for t in lines] == ["活体检测：通过，用时 5.2 秒", "· 眨眼：完成（1.3 秒）", "· 向左转头：完成（2.0 秒）"]
    assert lines[0].en == "Liveness: passed, took 5.2 s"


def test_a_screen_held_up_is_named_as_the_reason() -> None:
    lines = liveness_lines(SCREEN)
    assert lines[0].zh.startswith("活体检测：未通过") and lines[-1].zh == "原因：镜头前疑似有屏幕或照片，请联系工作人员"


def test_a_skip_names_its_reason_and_no_liveness_says_so() -> None:
    skipped = liveness_lines({"outcome": "skipped", "duration_s": 0.0, "skip_reason": "申请人坐轮椅无法转头"})
    assert skipped[0].zh.startswith("活体检测：由工作人员跳过") and skipped[-1].zh == "跳过原因：申请人坐轮椅无法转头"
    assert liveness_lines(None)[0].zh == "活体检测：未进行（该工位未开启）"


def test_a_different_person_shows_the_distance_against_its_limit() -> None:
    lines = identity_lines({"verdict": "different", "cards": [{"verdict": "different", "distance": 0.68, "threshold": 0.5}]})
    assert lines[0].zh == "人脸比对：不是同一人"
    assert lines[1].zh == "· 与身份证人像距离 0.68（上限 0.50，越小越像）：不是同一人"
    assert identity_lines(None)[0].zh == "人脸比对：尚未比对"
