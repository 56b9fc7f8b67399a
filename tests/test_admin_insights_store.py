"""KPIs, questions to act on and the activity log on every backend: the same data, same numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.question_groups import group_questions
from prompts import message
from store.admin import AdminStore
from store.admin_factory import admin_store_for
from store.audit import AuditEntry, record
from store.base import TrainingStore
from store.feedback_reader import FeedbackSummary, NoFeedbackYet
from store.kpi import KpiQuery, KpiReport, kpi_report, percentile
from store.models import ChatEntry, utcnow
from store.question_turns import pair_replies
from tests import test_admin_store as base
from tests.test_admin_store import DAY, NOW, seed

store, admin = base.store, base.admin  # the same fixtures (`backend` is shared: conftest)

NOT_COVERED = message("answer_not_covered", name="Asha", support="your partner manager")


def report(admin: AdminStore, **query: Any) -> KpiReport:
    """The KPI report for the seeded data at NOW."""
    return kpi_report(
        admin.partners(NOW), admin.lead_dates(), KpiQuery(now=NOW, **query), NoFeedbackYet()
    )


def values(got: KpiReport) -> dict[str, Any]:
    return {k.key: (k.value, k.numerator, k.denominator, k.met) for k in got.kpis}


def test_kpis_over_all_time(store: TrainingStore, admin: AdminStore) -> None:
    seed(store)
    got = report(admin)
    assert (got.new_partners, got.cohort, got.leads_used) == (6, 5, False)
    assert values(got) == {
        "enrolment": (0.8333, 5, 6, True),
        "completion": (0.4, 2, 5, False),
        "time": (1.5, None, 2, True),  # 2 days and 1 day
        "questions": (0.6, 3, 5, False),
        "feedback": (None, None, 0, None),
    }
    assert got.kpis[2].p90 == 2.0
    weeks = [(str(w.week_start), w.new, w.enrolled, w.completed, w.median_days) for w in got.weeks]
    assert weeks == [("2025-05-19", 2, 2, 1, 2.0), ("2025-05-26", 4, 3, 1, 1.0)]


def test_kpis_for_a_period_and_a_cohort(store: TrainingStore, admin: AdminStore) -> None:
    seed(store)
    period = report(admin, start=NOW - 6 * DAY)
    assert values(period)["enrolment"] == (0.75, 3, 4, False)
    assert values(period)["completion"] == (0.3333, 1, 3, False)
    assert values(period)["questions"] == (0.67, 2, 3, False)
    cohort = report(admin, cohort_start=NOW - 11 * DAY, cohort_end=NOW - 9 * DAY)
    assert cohort.cohort == 2  # +1001 and +1003 enrolled ten days ago
    assert values(cohort)["completion"] == (0.5, 1, 2, False)
    assert values(cohort)["time"][0] == 2.0
    assert values(cohort)["enrolment"] == (0.8333, 5, 6, True)  # still over the period
    assert report(admin, start=NOW + DAY).new_partners == 0


def test_leads_are_new_partners(store: TrainingStore, admin: AdminStore) -> None:
    seed(store)
    store.upsert_lead("1001", "Fin")  # the CRM spells the phone without '+': the same partner
    store.upsert_lead("+1999", "Never Wrote")
    got = report(admin)
    assert got.leads_used and got.new_partners == 7
    assert values(got)["enrolment"] == (0.7143, 5, 7, False)
    assert report(admin, start=NOW - 30 * DAY).new_partners == 6  # an undated lead has no period


def test_feedback_comes_from_the_reader() -> None:
    class Ratings:
        def __init__(self) -> None:
            self.asked: set[str] | None = None

        def feedback_summary(self, phones: Any, start: Any, end: Any) -> FeedbackSummary:
            self.asked = phones
            return FeedbackSummary(rated=10, positive=9)

    reader = Ratings()
    got = kpi_report([], {}, KpiQuery(now=NOW), reader)
    assert values(got)["feedback"] == (0.9, 9, 10, True) and reader.asked == set()


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([float(n) for n in range(1, 12)], 0.9) == 10.0


def ask(
    store: TrainingStore, phone: str, text: str, reply: str, mid: str | None, **tags: Any
) -> None:
    """A question turn: the partner line and Genie's reply line, both tagged as a question."""
    tags = {"intent": "question", "message_id": mid, "time": NOW - DAY, **tags}
    store.append_chat(ChatEntry(phone=phone, who="partner", text=text, **tags))
    store.append_chat(ChatEntry(phone=phone, who="genie", text=reply, **tags))


def seed_questions(store: TrainingStore) -> None:
    ask(store, "+3001", "What is the MOQ?", "Ten units.\n\n_(from Session 2: Orders)_", "m1",
        session=2)  # fmt: skip
    ask(store, "+3002", "what is the moq", NOT_COVERED, "m2", session=2)
    ask(store, "+3003", "When is commission paid?", NOT_COVERED, None, session=3)
    late = NOW - DAY / 2
    store.append_chat(
        ChatEntry(phone="+3001", who="partner", text="next", intent="next", time=late)
    )


def test_questions_grouped_unanswered_first(store: TrainingStore, admin: AdminStore) -> None:
    seed_questions(store)
    turns = pair_replies(admin.question_lines())
    assert [(t.phone, t.reply == NOT_COVERED) for t in turns] == [
        ("+3001", False), ("+3002", True), ("+3003", True),
    ]  # fmt: skip
    groups = group_questions(turns)
    got = [(g.text, g.count, g.partners, g.not_covered, g.answered, g.session) for g in groups]
    assert got == [
        ("What is the MOQ?", 2, 2, 1, 1, 2),
        ("When is commission paid?", 1, 1, 1, 0, 3),
    ]
    assert groups[0].answer is not None and groups[0].answer.startswith("Ten units.")
    assert pair_replies(admin.question_lines(NOW)) == []


def test_activity_log_records_lists_and_forgets_erased_partners(admin: AdminStore) -> None:
    first = record(admin, "ann", "content.update", "session 2", None, heading="Orders")
    record(admin, "cli:ops", "content.load", "kb.yaml", None, sessions=7)
    later = utcnow() + DAY
    reset = AuditEntry(who="bob", action="partner.reset", target="A", phone="+15550001", at=later)
    admin.record_audit(reset)
    assert first.id
    listed = admin.list_audit()
    assert (listed[0].who, listed[0].action) == ("bob", "partner.reset")
    assert {e.action for e in listed} == {"content.update", "content.load", "partner.reset"}
    assert [e.action for e in admin.list_audit(area="partner")] == ["partner.reset"]
    assert len(admin.list_audit(limit=1)) == 1 and len(admin.list_audit(offset=2)) == 1
    loaded = next(e for e in listed if e.action == "content.load")
    assert loaded.detail == {"sessions": 7} and loaded.at.tzinfo is not None
    admin.erase_partner("+15550001")
    assert {e.action for e in admin.list_audit()} == {"content.update", "content.load"}


def test_backends_agree_on_kpis_and_questions(tmp_path: Path) -> None:
    """Identical KPI reports, partner facts and question groups on SQLite and MongoDB."""

    def measure(opened: TrainingStore) -> object:
        seed_questions(opened)
        admin_ = admin_store_for(opened)
        cohort = {"cohort_start": NOW - 11 * DAY, "cohort_end": NOW}
        groups = group_questions(pair_replies(admin_.question_lines()))
        facts = sorted(admin_.partners(NOW), key=lambda p: p.phone)
        return (
            report(admin_).model_dump(),
            report(admin_, **cohort).model_dump(),
            [g.model_dump() for g in groups],
            [p.model_dump() for p in facts],
        )

    results = base.on_every_backend(tmp_path, measure)
    assert all(result == results[0] for result in results[1:])


def test_empty_store_has_no_kpis(admin: AdminStore) -> None:
    got = report(admin)
    assert got.new_partners == 0 and got.weeks == []
    assert all(k.value is None and k.met is None for k in got.kpis)
