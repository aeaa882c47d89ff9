"""Photo judge: is one frame an acceptable ICP verification photo, and if not, why (zh/en)?

    from kiosk.photo import PhotoJudge, load_image
    verdict = PhotoJudge().judge(load_image("photo.jpg"))
"""

from __future__ import annotations

from kiosk.photo.config import JudgeConfig
from kiosk.photo.image_io import load_image
from kiosk.photo.judge import PhotoJudge
from kiosk.photo.result import CheckResult, Verdict

__all__ = ["CheckResult", "JudgeConfig", "PhotoJudge", "Verdict", "load_image"]
