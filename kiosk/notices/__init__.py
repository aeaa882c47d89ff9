"""Applicant notices: an outbox row per recipient and channel for each case move (written in the move's
transaction, never breaking it), delivered later with retries by e-mail (SMTP) and SMS (a pluggable gateway),
and the public progress lookup."""

from kiosk.notices.outbox import enqueue_for_move

__all__ = ["enqueue_for_move"]
