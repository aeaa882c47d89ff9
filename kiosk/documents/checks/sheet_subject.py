"""The verification sheet names the case's subject: the name printed after the sheet's subject label (主体单位名称,
主办者名称, ...) is the subject name staff typed.

Both are compared after NFKC (full-width letters, digits and brackets become their plain forms: （北京） = (北京)),
with spaces and the punctuation OCR adds or drops (·:,.、;'"“”) removed, case folded. Nothing else is forgiven:
"样本科技有限公司北京分公司" is another subject than "样本科技有限公司". When no subject name can be read the
result is uncertain: staff compare the sheet by eye.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.checkresult import uncertain
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "sheet_subject"
_IGNORED = re.compile(r"[\s·•:：,，.。、;；'\"“”‘’]")


def comparable(name: str) -> str:
    """The name as compared: NFKC, no spaces or loose punctuation, upper case."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", name)).upper()


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    typed = obs.expected.get("subject_name")
    if not typed:
        return skipped(CODE, reason="nothing_typed", message=Text("案件中无主体名称", "No subject name typed in the case"))
    read = obs.readings.get("subject_name")
    if not read or not comparable(read):
        return uncertain(CODE, reason="subject_name_unread",
                         message=Text(f"未能识别核验单上的主体名称，请人工核对是否为“{typed}”",
                                      f"The subject name on the sheet could not be read: check by eye that it is “{typed}”"))
    if comparable(read) != comparable(typed):
        return failed(CODE, reason="subject_name_mismatch", value=1.0, threshold=0,
                      message=Text(f"核验单上的主体名称“{read}”与录入的“{typed}”不一致",
                                   f"The sheet names the subject “{read}”, the case “{typed}”"),
                      typed=typed, read=read)
    return passed(CODE, value=0.0, threshold=0, message=Text("主体名称与录入信息一致", "The subject name matches the case"))
