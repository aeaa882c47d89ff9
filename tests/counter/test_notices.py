"""Applicant notices: written with each move, delivered by e-mail to a real local SMTP server (aiosmtpd) and by
SMS through the logging gateway, with retries; a failing notice never breaks a move; the public progress lookup."""

from __future__ import annotations

import datetime as dt
import email
import logging
import threading
import time
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, select

from kiosk import cases
from kiosk.counter_config import SmtpConfig, load_counter_config
from kiosk.models import Case, Notice
from kiosk.notices import delivery, messages
from kiosk.notices.gateways import LoggingGateway, SmtpGateway, build_gateways, mask
from kiosk.notices.progress import NOT_FOUND, progress_lookup
from kiosk.workflow import State
from tests.pgserver import free_port

from .conftest import new_case, staff


class Inbox:
    """An aiosmtpd handler keeping every message; refuses recipients at refused.example.cn (550)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.endswith("@refused.example.cn"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def with_email(session, case, address="leader@example.cn"):
    case.person("website_leader").email = address
    session.flush()


def test_each_move_queues_sms_and_email_with_state_and_next_step(db):
    with db.session() as s:
        case = new_case(s)
        with_email(s, case)
        cases.move_case(s, case, "start_verification", staff(s))
        cases.move_case(s, case, "back_to_draft", staff(s), reason="身份证过期，请携带新证件")
        notices = s.scalars(select(Notice).order_by(Notice.id)).all()
        assert [(n.channel, n.recipient) for n in notices] == [
            ("sms", "13900139000"), ("email", "leader@example.cn"), ("sms", "13800138000")] * 2
        sms = notices[3].body
        assert case.number in sms and "草稿" in sms
        assert "身份证过期" not in sms, "reasons of internal moves stay with staff"
        case.state = State.AWAITING_AUDIT.value
        cases.move_case(s, case, "return_for_correction", staff(s), reason="营业执照照片不清晰，请重新提供")
        returned = s.scalars(select(Notice).where(Notice.channel == "sms").order_by(Notice.id.desc())).first()
        assert "退回原因：营业执照照片不清晰" in returned.body and "退回修改" in returned.body
        assert notices[0].status == "pending" and "当面核验中" in notices[0].body
        mail = notices[4]
        assert "Next step" in mail.body and "下一步" in mail.body and "Filing progress" in mail.subject
        for n in s.scalars(select(Notice)):  # no personal data beyond the case number
            for private in ("南京示例科技有限公司", "李四", "张三", "11010519491231002X", "example.cn 示例网"):
                assert private not in n.body and private not in n.subject


def test_next_steps_by_state_filing_and_province(db):
    with db.session() as s:
        case = new_case(s, province="zhejiang")
        for state in State:
            case.state = state.value
            assert messages.next_step(case).zh and messages.next_step(case).en
        case.state = State.AT_ADMINISTRATION.value
        assert "短信" in messages.next_step(case).zh  # a pilot province
        case.state = State.APPROVED.value
        assert "公安" in messages.next_step(case).zh
        cancel = new_case(s, domain="c.cn", province="zhejiang", filing_type="cancel_website", record="浙ICP备2025012345号-1")
        cancel.state = State.AT_ADMINISTRATION.value
        assert "短信" not in messages.next_step(cancel).zh
        cancel.state = State.APPROVED.value
        assert messages.state_name(cancel).zh == "已注销" and "公安" not in messages.next_step(cancel).zh


def test_delivered_to_a_real_smtp_server_and_sms_logged(db, smtp_server, caplog):
    controller, inbox = smtp_server
    with db.session() as s:
        case = new_case(s)
        with_email(s, case)
        cases.move_case(s, case, "start_verification", staff(s))
        number = case.number
    config = load_counter_config({"KIOSK_SMTP_HOST": "127.0.0.1", "KIOSK_SMTP_PORT": str(controller.port),
                                  "KIOSK_SMTP_FROM": "beian@provider.example.cn", "KIOSK_PROVIDER_NAME": "示例云"})
    gateways = build_gateways(config)
    with caplog.at_level(logging.INFO, logger="kiosk.notices.gateways"):
        report = delivery.deliver_due(db.session, gateways)
    assert report == delivery.DeliveryReport(sent=3)
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == "leader@example.cn" and msg["From"] == "beian@provider.example.cn"
    assert number in msg["Subject"] and "当面核验中" in msg.get_content()
    assert "139****9000" in caplog.text and "13900139000" not in caplog.text
    with db.session() as s:
        rows = s.scalars(select(Notice)).all()
        assert {n.status for n in rows} == {"sent"} and {n.gateway for n in rows} == {"smtp", "log"}
    assert delivery.deliver_due(db.session, gateways) == delivery.DeliveryReport()  # nothing sent twice


def test_smtp_down_retries_then_delivers_and_the_move_stands(db, smtp_server):
    controller, inbox = smtp_server
    with db.session() as s:
        case = new_case(s)
        with_email(s, case)
        cases.move_case(s, case, "start_verification", staff(s))
        case_id = case.id
    closed = SmtpGateway(SmtpConfig("127.0.0.1", free_port(), timeout=2))  # nothing listens there
    gateways = {"email": closed, "sms": LoggingGateway("sms")}
    t0 = dt.datetime.now(dt.UTC)
    report = delivery.deliver_due(db.session, gateways, now=lambda: t0)
    assert report.sent == 2 and report.retrying == 1
    with db.session() as s:
        assert s.get(Case, case_id).state == "onsite_verification"
        pending = s.scalars(select(Notice).where(Notice.status == "pending")).one()
        assert pending.attempts == 1 and "ConnectionRefused" in pending.last_error
        assert pending.next_attempt_at == t0 + dt.timedelta(minutes=1)
    # not due yet: nothing happens; due: the real server gets it
    assert delivery.deliver_due(db.session, gateways, now=lambda: t0 + dt.timedelta(seconds=30)) == delivery.DeliveryReport()
    gateways["email"] = SmtpGateway(SmtpConfig("127.0.0.1", controller.port))
    report = delivery.deliver_due(db.session, gateways, now=lambda: t0 + dt.timedelta(minutes=2))
    assert report.sent == 1 and len(inbox.messages) == 1


def test_refused_address_fails_for_good(db, smtp_server):
    controller, inbox = smtp_server
    with db.session() as s:
        case = new_case(s)
        with_email(s, case, "nobody@refused.example.cn")
        cases.move_case(s, case, "start_verification", staff(s))
    gateways = {"email": SmtpGateway(SmtpConfig("127.0.0.1", controller.port)), "sms": LoggingGateway("sms")}
    assert delivery.deliver_due(db.session, gateways).failed == 1
    with db.session() as s:
        failed = s.scalars(select(Notice).where(Notice.status == "failed")).one()
        assert "550" in failed.last_error and failed.attempts == 1


def test_gives_up_after_max_attempts(db):
    class Broken:
        name = "broken"

        def send(self, message):
            raise RuntimeError("gateway exploded")

    with db.session() as s:
        cases.move_case(s, new_case(s), "start_verification", staff(s))
    gateways = {"email": Broken(), "sms": Broken()}
    t = dt.datetime.now(dt.UTC)
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(db.session, gateways, now=lambda t=t: t)
        t += dt.timedelta(hours=2)
    with db.session() as s:
        rows = s.scalars(select(Notice)).all()
        assert {(n.status, n.attempts) for n in rows} == {("failed", delivery.MAX_ATTEMPTS)}
        assert all("gateway exploded" in n.last_error for n in rows)


def test_a_notice_that_cannot_be_written_never_breaks_the_move(db, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(messages, "move_message", boom)
    with db.session() as s:
        case = new_case(s)
        with caplog.at_level(logging.ERROR):
            cases.move_case(s, case, "start_verification", staff(s))
        case_id = case.id
    assert "could not queue the notices" in caplog.text
    with db.session() as s:
        assert s.get(Case, case_id).state == "onsite_verification"
        assert s.scalars(select(Notice)).all() == []


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_concurrent_delivery_sends_each_notice_once(backend, request):
    db = request.getfixturevalue("db" if backend == "sqlite" else "pg_db")
    sent: list[int] = []
    lock = threading.Lock()

    class Slow:
        name = "slow"

        def send(self, message):
            time.sleep(0.05)
            with lock:
                sent.append(message.notice_id)

    with db.session() as s:
        for i in range(4):
            cases.move_case(s, new_case(s, domain=f"n{i}.cn"), "start_verification", staff(s))
    gateways = {"email": Slow(), "sms": Slow()}
    threads = [threading.Thread(target=delivery.deliver_due, args=(db.session, gateways)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(sent) == 8 and len(set(sent)) == 8


def test_worker_delivers_in_the_background(db):
    got = threading.Event()

    class Quick:
        name = "quick"

        def send(self, message):
            got.set()

    worker = delivery.NoticeWorker(db.session, {"email": Quick(), "sms": Quick()}, interval=60).start()
    try:
        with db.session() as s:
            cases.move_case(s, new_case(s), "start_verification", staff(s))
        worker.wake()
        assert got.wait(10)
    finally:
        worker.stop()


def test_mask_and_bad_sms_gateway():
    assert mask("13800138000") == "138****8000" and mask("name@example.cn") == "n***@example.cn"
    with pytest.raises(ValueError):
        build_gateways(load_counter_config({"KIOSK_SMS_GATEWAY": "carrier-pigeon"}))
    with pytest.raises(ValueError):
        load_counter_config({"KIOSK_SMTP_HOST": "x", "KIOSK_SMTP_SECURITY": "tls13"})


# ---------------------------------------------------------------- public progress lookup

def count_statements(db):
    seen: list[str] = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", before)


def test_progress_lookup(db):
    with db.session() as s:
        case = new_case(s)
        cases.move_case(s, case, "start_verification", staff(s))
        number, leader_id = case.number, case.person("website_leader").id_number
    with db.session() as s:
        right = progress_lookup(s, number, leader_id[-4:])
        assert right.found and right.state.zh == "当面核验中" and right.next_step.zh
        assert progress_lookup(s, f" {number.lower()} ", "".join(chr(ord(c) + 0xFEE0) for c in leader_id[-4:])).found
        wrong = progress_lookup(s, number, "0000" if leader_id[-4:] != "0000" else "1111")
        unknown = progress_lookup(s, "BK-20990101-9999", leader_id[-4:])
        assert wrong == unknown == progress_lookup(s, number, "") == progress_lookup(s, "", "")
        assert wrong.message == NOT_FOUND and wrong.state is None and wrong.next_step is None
        for field in (right.state, right.next_step):
            assert "李四" not in field.zh and "example.cn" not in field.zh and leader_id not in field.zh


def test_progress_lookup_takes_the_same_path_for_unknown_case_and_wrong_digits(db):
    with db.session() as s:
        case = new_case(s)
        number, last4 = case.number, case.person("website_leader").id_number[-4:]
    counts = []
    for args in ((number, last4), (number, "0000"), ("BK-20990101-9999", last4), ("x" * 500, "y" * 500)):
        seen, stop = count_statements(db)
        try:
            with db.session() as s:
                progress_lookup(s, *args)
        finally:
            stop()
        counts.append(len([q for q in seen if q.lstrip().upper().startswith("SELECT")]))
    assert counts == [1, 1, 1, 1]


def test_booking_notices_carry_the_calendar_file(db, smtp_server, monkeypatch):
    from kiosk.appointments import booking
    from kiosk.appointments.slots import OpeningHours, publish_slots
    from kiosk.deadlines import WorkCalendar

    controller, inbox = smtp_server
    monkeypatch.setenv("KIOSK_PROVIDER_NAME", "示例云")
    before = dt.datetime(2026, 9, 25, 0, 0, tzinfo=dt.UTC)
    with db.session() as s:
        hours = OpeningHours(dt.time(9), dt.time(10), slot_minutes=30, capacity=1)
        slots = publish_slots(s, kiosk_name="kiosk-1", days=[dt.date(2026, 9, 30)], hours=hours, actor=staff(s),
                              calendar=WorkCalendar(), location="海淀区示例路1号").created
        case = new_case(s)
        with_email(s, case)
        appt = booking.book(s, case, slots[0].id, staff(s), now=before)
        sms = s.scalars(select(Notice).where(Notice.channel == "sms")).first()
        assert "已预约2026-09-30 09:00–09:30" in sms.body and "海淀区示例路1号" in sms.body and "营业执照原件" in sms.body
        assert sms.body.startswith("【示例云】") and sms.attachment is None
        moved = booking.reschedule(s, appt, slots[1].id, staff(s), now=before)
        booking.cancel(s, moved, staff(s), now=before, reason="申请人取消")
    gateways = {"email": SmtpGateway(SmtpConfig("127.0.0.1", controller.port)), "sms": LoggingGateway("sms")}
    assert delivery.deliver_due(db.session, gateways).sent == 9
    assert [m["Subject"].split("：")[0] for m in inbox.messages] == ["当面核验预约已预约", "当面核验预约已改约至", "当面核验预约已取消"]
    calendars = [next(p for p in m.iter_attachments() if p.get_content_type() == "text/calendar") for m in inbox.messages]
    contents = [c.get_content() for c in calendars]
    assert "DTSTART;TZID=Asia/Shanghai:20260930T090000" in contents[0]
    assert "DTSTART;TZID=Asia/Shanghai:20260930T093000" in contents[1] and "SEQUENCE:1" in contents[1]
    assert "STATUS:CANCELLED" in contents[2]
    assert calendars[0].get_filename() == "appointment.ics"


def test_a_booking_notice_that_fails_never_breaks_the_booking(db, monkeypatch):
    from kiosk.appointments import booking
    from kiosk.appointments.slots import OpeningHours, publish_slots
    from kiosk.deadlines import WorkCalendar

    def boom(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(messages, "appointment_message", boom)
    with db.session() as s:
        hours = OpeningHours(dt.time(9), dt.time(9, 30), slot_minutes=30, capacity=1)
        slot = publish_slots(s, kiosk_name="k", days=[dt.date(2026, 9, 30)], hours=hours, actor=staff(s),
                             calendar=WorkCalendar()).created[0]
        case = new_case(s)
        booking.book(s, case, slot.id, staff(s), now=dt.datetime(2026, 9, 25, tzinfo=dt.UTC))
        case_id = case.id
    with db.session() as s:
        assert booking.active_appointment(s, case_id) is not None and s.scalars(select(Notice)).all() == []
