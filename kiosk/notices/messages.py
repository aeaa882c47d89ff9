"""What the applicant reads: the state of their case and their next step, in Chinese first, then English.

No personal data: the case number, the state, the next step, and for a return the reason staff wrote for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.models import Case, CaseEvent
from kiosk.text import Text
from kiosk.workflow import STATE_NAMES, State, is_sms_pilot

NEXT_STEPS: dict[State, Text] = {
    State.DRAFT: Text("请按预约时间携带材料原件到柜台办理当面核验", "Come to the counter at your appointment with the original documents"),
    State.ONSITE: Text("当面核验进行中，请在柜台完成拍照与签字", "On-site verification in progress: photo and signature at the counter"),
    State.AWAITING_AUDIT: Text("接入服务商初审中，通常需要1–2个工作日，无需操作",
                               "The provider's first review usually takes 1–2 working days; nothing to do"),
    State.AUDIT_PASSED: Text("初审通过，即将提交通信管理局", "First review passed; the filing goes to the Administration next"),
    State.RETURNED_FOR_CORRECTION: Text("请根据退回原因修改材料，并联系柜台重新核验",
                                        "Correct what the reason names and contact the counter for a new verification"),
    State.AT_ADMINISTRATION: Text("通信管理局审核中，最长20个工作日，无需操作",
                                  "At the Administration, up to 20 working days; nothing to do"),
    State.SMS_PENDING: Text("请在收到工信部核验短信后24小时内按短信提示完成验证",
                            "Answer the ministry's verification SMS within 24 hours as it says"),
    State.APPROVED: Text("备案已通过，请在30日内办理公安机关互联网站备案（公安备案）",
                         "Approved: file the website with the public security bureau within 30 days"),
    State.RETURNED_BY_ADMINISTRATION: Text("通信管理局退回，请根据退回原因修改后联系柜台",
                                           "Returned by the Administration: correct what the reason names and contact the counter"),
}
AT_ADMINISTRATION_PILOT = Text("通信管理局审核中；审核期间您将收到工信部核验短信，请在24小时内完成验证",
                               "At the Administration; you will get the ministry's verification SMS: answer it within 24 hours")
RETURN_STATES = frozenset({State.RETURNED_FOR_CORRECTION, State.RETURNED_BY_ADMINISTRATION})


def state_name(case: Case) -> Text:
    from kiosk.filing import outcome_name

    return outcome_name(case) or STATE_NAMES[State(case.state)]


def next_step(case: Case) -> Text:
    """The applicant's next step for the case as it stands (filing type and province taken into account)."""
    from kiosk.filing import rule_for

    state = State(case.state)
    rule = rule_for(case)
    if state is State.AT_ADMINISTRATION and is_sms_pilot(case.province) and rule.sms_verification:
        return AT_ADMINISTRATION_PILOT
    if state is State.APPROVED:
        if rule.next_step_done is not None:
            return rule.next_step_done
        if not rule.public_security_filing:
            return Text("备案信息已更新，无需其他操作", "The filing is updated; nothing else to do")
    return NEXT_STEPS[state]


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    sms: str
    email: str


def move_message(case: Case, event: CaseEvent, provider_name: str = "接入服务商") -> Message:
    """The notice for one move of `case`: a short SMS and a longer e-mail, both bilingual."""
    name, step = state_name(case), next_step(case)
    reason = ""
    if event.reason and State(event.to_state) in RETURN_STATES:
        reason = event.reason.strip()
    subject = f"备案进度：{case.number} {name.zh} / Filing progress: {name.en}"
    sms = f"【{provider_name}】您的备案案件{case.number}状态：{name.zh}。{'退回原因：' + reason + '。' if reason else ''}{step.zh}"
    lines = [
        "您好，", "",
        f"您的备案案件 {case.number} 现在的状态是：{name.zh}。",
        *([f"退回原因：{reason}"] if reason else []),
        f"下一步：{step.zh}", "",
        f"{provider_name}", "", "----", "",
        "Hello,", "",
        f"Your filing case {case.number} is now: {name.en}.",
        *([f"Reason for the return: {reason}"] if reason else []),
        f"Next step: {step.en}", "",
        "This message was sent automatically; please do not reply.",
    ]
    return Message(subject, sms, "\n".join(lines) + "\n")


APPOINTMENT_WORDS: dict[str, Text] = {
    "booked": Text("已预约", "is booked"),
    "rescheduled": Text("已改约至", "is moved to"),
    "cancelled": Text("已取消", "is cancelled"),
}


def appointment_message(case_number: str, kind: str, when: str, location: str, bring: list[Text],
                        provider_name: str = "接入服务商") -> Message:
    """The notice of a booked, rescheduled or cancelled appointment (the e-mail carries the .ics)."""
    word = APPOINTMENT_WORDS[kind]
    subject = f"当面核验预约{word.zh}：{case_number} / On-site appointment {word.en}"
    items_zh = "、".join(b.zh for b in bring)
    if kind == "cancelled":
        sms = f"【{provider_name}】您的备案案件{case_number}的当面核验预约（{when}）已取消。如需办理请重新预约。"
    else:
        sms = f"【{provider_name}】您的备案案件{case_number}当面核验{word.zh}{when}，地点：{location}。请携带：{items_zh}。"
    lines = [
        "您好，", "", f"您的备案案件 {case_number} 的当面核验预约{word.zh}：{when}", f"地点：{location}",
        *(["请携带：", *(f"  - {b.zh}" for b in bring)] if kind != "cancelled" else []), "", provider_name, "", "----", "",
        "Hello,", "", f"The on-site verification of your filing case {case_number} {word.en}: {when} (Beijing time)",
        f"Place: {location}",
        *(["Please bring:", *(f"  - {b.en}" for b in bring)] if kind != "cancelled" else []), "",
        "The attached calendar file adds the appointment to your calendar.", "",
    ]
    return Message(subject, sms, "\n".join(lines) + "\n")
