"""The reminder rules: who gets which step when, in which channel, never in quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.reminder_schedule import (
    ReminderPolicy,
    ScheduleError,
    load_schedule,
    parse_schedule,
)
from agent.reminders import Decision, decide, partner_timezone, quiet_until, template_variables
from store.models import Progress, TrainingSession
from store.reminders import Reminder

IST = ZoneInfo("Asia/Kolkata")
# 10:00 in India: outside quiet hours.
LAST = datetime(2026, 3, 2, 10, 0, tzinfo=IST).astimezone(UTC)
SESSIONS = [TrainingSession(s_no=n, heading=f"Part {n}", content="x") for n in (1, 2, 3)]
STEPS = load_schedule()
POLICY = ReminderPolicy(template_sids={"genie_training_nudge": "HX1"})
H = timedelta(hours=1)


def _partner(**changes: object) -> Progress:
    fields: dict[str, object] = {
        "phone": "+919800000001", "name": "Asha Rao", "current_section": 2,
        "completed_sections": [1], "in_training_mode": True, "training_started": True,
    }  # fmt: skip
    return Progress.model_validate({**fields, **changes})


def _decide(
    after: timedelta,
    sent: list[Reminder] | None = None,
    policy: ReminderPolicy = POLICY,
    **p: object,
) -> Decision:
    return decide(_partner(**p), LAST, sent or [], SESSIONS, STEPS, policy, LAST + after)


def test_the_packaged_schedule_has_steps_in_order() -> None:
    assert [s.name for s in STEPS] == ["nudge", "day3", "day7"]
    assert STEPS[0].after < timedelta(hours=24) < STEPS[1].after


def test_nothing_before_the_first_step_then_a_text_inside_the_window() -> None:
    assert _decide(19 * H).action == "none"
    decision = _decide(20 * H)  # 06:00 next morning IST: quiet hours
    assert decision.action == "wait" and "quiet hours until 09:00" in decision.reason
    decision = _decide(23 * H)  # 09:00 IST
    assert decision.action == "send" and decision.reminder is not None
    reminder = decision.reminder
    assert reminder.channel == "text" and reminder.step == "nudge"
    assert "Hi Asha!" in reminder.text and "Session 2: *Part 2*" in reminder.text
    assert reminder.due_at == LAST + 20 * H


def test_outside_the_window_a_template_with_filled_variables() -> None:
    decision = _decide(24 * H + 30 * timedelta(minutes=1))
    assert decision.action == "send" and decision.reminder is not None
    reminder = decision.reminder
    assert (reminder.channel, reminder.template, reminder.content_sid) == (
        "template", "genie_training_nudge", "HX1",
    )  # fmt: skip
    assert reminder.content_variables == {"1": "Asha", "2": "Part 2"}
    assert reminder.text == "[template genie_training_nudge: 1=Asha, 2=Part 2]"


def test_a_template_without_content_sid_waits_and_says_why() -> None:
    decision = _decide(3 * 24 * H, policy=ReminderPolicy())
    assert decision.action == "wait" and "REMINDER_TEMPLATE_SIDS" in decision.reason


def test_each_step_once_the_latest_due_wins_and_the_maximum_holds() -> None:
    sent_nudge = _decide(23 * H).reminder
    assert sent_nudge is not None
    assert _decide(2 * 24 * H, [sent_nudge]).reason == "nudge already sent"
    long_silence = _decide(8 * 24 * H)  # one reminder, the 7-day one, not all three
    assert long_silence.reminder is not None and long_silence.reminder.step == "day7"
    capped = _decide(8 * 24 * H, [sent_nudge], policy=ReminderPolicy(max_per_partner=1))
    assert capped.action == "none" and "maximum of 1" in capped.reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"opted_out": True}, "opted out"),
        ({"completed_at": LAST}, "finished the training"),
        ({"training_started": False, "current_section": None}, "not in training"),
    ],
)
def test_no_reminder_for_opted_out_finished_or_never_started(
    changes: dict[str, object], reason: str
) -> None:
    progress = _partner(**changes)
    decision = decide(progress, LAST, [], SESSIONS, STEPS, POLICY, LAST + 23 * H)
    assert (decision.action, decision.reason) == ("none", reason)


def test_a_paused_partner_gets_the_first_step_after_its_delay() -> None:
    assert _decide(10 * H, in_training_mode=False).action == "none"
    assert _decide(23 * H, in_training_mode=False).action == "send"


def test_reminders_off() -> None:
    assert _decide(23 * H, policy=ReminderPolicy(enabled=False)).reason == "reminders are off"


def test_time_zone_from_the_admin_then_the_phone_then_the_default() -> None:
    assert partner_timezone(_partner(), "UTC").key == "Asia/Calcutta"
    assert partner_timezone(_partner(timezone="Europe/Berlin"), "UTC").key == "Europe/Berlin"
    assert partner_timezone(_partner(phone="+15550001"), "Asia/Dubai").key == "Asia/Dubai"
    # Countries with several zones: phonenumbers knows the zone of many area codes.
    assert partner_timezone(_partner(phone="+14155550100"), "UTC").key == "America/Los_Angeles"


def test_quiet_hours_over_midnight_and_within_a_day() -> None:
    night, day = (time(21), time(9)), (time(13), time(14))
    at = datetime(2026, 3, 2, 22, 30, tzinfo=IST)
    assert quiet_until(at, *night) == datetime(2026, 3, 3, 9, 0, tzinfo=IST)
    assert quiet_until(at.replace(hour=3), *night) == datetime(2026, 3, 2, 9, 0, tzinfo=IST)
    assert quiet_until(at.replace(hour=9), *night) is None
    assert quiet_until(at.replace(hour=13, minute=5), *day) is not None
    assert quiet_until(at.replace(hour=14), *day) is None


def test_template_variables_are_never_empty() -> None:
    assert template_variables(STEPS[0], {"name": "", "heading": "  "}) == {"1": "-", "2": "-"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "steps"),
        ({"steps": [{"name": "a", "after": "1d", "text": "t"}]}, "template"),
        ({"steps": [{"name": "a", "after": "soon", "text": "t", "template": "x"}]}, "duration"),
        (
            {"steps": [{"name": "a", "after": "2d", "text": "t", "template": "x"},
                       {"name": "b", "after": "1d", "text": "t", "template": "x"}]},
            "later",
        ),
        (
            {"steps": [{"name": "a", "after": "1d", "text": "t", "template": "x",
                        "variables": {"1": ""}}]},
            "empty",
        ),
        ({"steps": [{"name": "a", "after": "1d", "template": "x"}]}, "text or message"),
        (
            {"steps": [{"name": "a", "after": "1d", "message": "reminder_nope", "template": "x"}]},
            "no message 'reminder_nope' in messages.en.yaml",
        ),
    ],
)  # fmt: skip
def test_bad_schedules_are_refused_clearly(data: object, problem: str) -> None:
    with pytest.raises(ScheduleError, match=problem):
        parse_schedule(data)


HINDI = [
    s.model_copy(update={"translations": {"hi": {"heading": f"भाग {s.s_no}", "content": "क"}}})
    for s in SESSIONS
]


def _decide_hindi(after: timedelta, policy: ReminderPolicy = POLICY) -> Decision:
    partner = _partner(language="hi")
    return decide(partner, LAST, [], HINDI, STEPS, policy, LAST + after)


def test_a_hindi_partner_gets_the_reminder_text_in_hindi() -> None:
    reminder = _decide_hindi(23 * H).reminder
    assert reminder is not None and reminder.channel == "text"
    assert "नमस्ते Asha!" in reminder.text and "सत्र 2: *भाग 2*" in reminder.text
    unnamed = decide(
        _partner(language="hi", name=None), LAST, [], HINDI, STEPS, POLICY, LAST + 23 * H
    ).reminder
    assert unnamed is not None and "नमस्ते दोस्त!" in unnamed.text  # not "there"


def test_a_hindi_partner_gets_the_hindi_template_once_it_is_registered() -> None:
    # Until genie_training_nudge_hi is registered, the default template (English variables).
    reminder = _decide_hindi(3 * 24 * H).reminder
    assert reminder is not None
    assert (reminder.template, reminder.content_sid) == ("genie_training_nudge", "HX1")
    assert reminder.content_variables == {"1": "Asha", "2": "Part 2"}
    both = ReminderPolicy(
        template_sids={"genie_training_nudge": "HX1", "genie_training_nudge_hi": "HX2"}
    )
    reminder = _decide_hindi(3 * 24 * H, both).reminder
    assert reminder is not None
    assert (reminder.template, reminder.content_sid) == ("genie_training_nudge_hi", "HX2")
    assert reminder.content_variables == {"1": "Asha", "2": "भाग 2"}
    assert reminder.text == "[template genie_training_nudge_hi: 1=Asha, 2=भाग 2]"
