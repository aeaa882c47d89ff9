"""Nothing hidden after the image: bytes appended after a JPEG's EOI marker or a PNG's IEND chunk.

Such bytes are not part of the picture (a ZIP, a script, a phone's motion-photo video): they never reach the
normalised copy, which is re-encoded from the decoded pixels, while the original is kept byte for byte as evidence.
Any appended byte makes the check uncertain, so a person looks at the file and writes why it is acceptable (a
phone's motion photo) or rejects it; there is no threshold to tune: a scanner writes none.
"""

from __future__ import annotations

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, passed, uncertain
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text, human_bytes

CODE = "appended_data"


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    extra = obs.appended_bytes
    if extra <= 0:
        return passed(CODE, value=0, threshold=0)
    size = human_bytes(extra)
    return uncertain(
        CODE, reason="appended_data", value=extra, threshold=0,
        message=Text(f"图像末尾附有额外数据 {size}（{extra} 字节），已从规范化副本中去除，原件原样保存：请核对文件来源",
                     f"{size} ({extra} bytes) appended after the image were left out of the normalised copy; the "
                     "original is kept as it was: check where the file came from"),
    )
