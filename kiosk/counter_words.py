"""The counter pages' labels in one place (day view, dashboard), bilingual, Chinese first; to be folded into the
central words catalogue."""

from __future__ import annotations

from kiosk.text import Text

COUNTER_WORDS: dict[str, Text] = {
    "day_view": Text("今日到场", "Day view"),
    "today": Text("今天", "Today"),
    "next_day": Text("下一个开放日", "Next opening day"),
    "time": Text("时间", "Time"),
    "case": Text("案件", "Case"),
    "subject": Text("主体", "Subject"),
    "filing_type": Text("备案类型", "Filing type"),
    "bring": Text("需携带", "To bring"),
    "status": Text("到场状态", "Attendance"),
    "arrived": Text("已到场", "Arrived"),
    "no_show": Text("未到场", "No-show"),
    "nobody": Text("没有预约", "No appointments"),
    "dashboard": Text("工作台概况", "Dashboard"),
    "by_state": Text("各状态案件", "Cases by state"),
    "overdue": Text("已超期", "Overdue"),
    "provisional": Text("期限暂定（节假日未公布）", "Provisional deadlines (holidays not yet published)"),
    "appointments_today": Text("今日预约", "Today's appointments"),
    "photos_retaken": Text("重拍照片", "Photos retaken"),
    "photos_taken": Text("拍摄照片", "Photos taken"),
    "average_counter": Text("柜台平均用时（分钟）", "Average time at the counter (minutes)"),
    "none_yet": Text("暂无", "none yet"),
    "period": Text("统计天数", "Days counted"),
    "progress": Text("备案进度查询", "Filing progress"),
    "too_many": Text("查询次数过多，请稍后再试", "Too many look-ups: please wait a few minutes"),
    "state": Text("当前状态", "State"),
    "next_step": Text("下一步", "Next step"),
    "case_number": Text("案件编号", "Case number"),
    "id_last4": Text("网站负责人证件号码后4位", "Last 4 characters of the website leader's ID number"),
    "look_up": Text("查询", "Look up"),
    "notices": Text("通知发件箱", "Notices outbox"),
    "all": Text("全部", "All"),
    "channel": Text("方式", "Channel"),
    "recipient": Text("收件人", "Recipient"),
    "delivery": Text("发送状态", "Delivery"),
    "attempts": Text("尝试次数", "Attempts"),
    "written": Text("生成时间", "Written"),
    "sent_at": Text("发送时间", "Sent"),
    "next_try": Text("下次尝试", "Next try"),
    "no_notices": Text("没有通知", "No notices"),
    "calendar_until": Text("节假日日历已知至", "Holiday calendar known until"),
}
