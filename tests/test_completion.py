"""Answer completion: a sentence holding the kind of value asked for joins the topical ones."""

from __future__ import annotations

from agent.answer_cues import holds, question_kinds
from agent.extract import extract
from agent.retrieval import KnowledgeIndex
from store.kb_files import sample_sessions

INDEX = KnowledgeIndex(sample_sessions())


def _answer(question: str) -> str:
    return " ".join(p.text for p in extract(INDEX, INDEX.find(question)))


def test_question_words_and_quoted_amounts_name_the_kind_of_answer() -> None:
    assert {"reason"} <= question_kinds("why is SS316 costlier?")
    assert {"list"} <= question_kinds("what details do I need for a quote?")
    assert {"limit"} <= question_kinds("my commission is only 600, is it paid?")
    assert "limit" not in question_kinds("where is the ss304 certificate?")
    assert holds("reason", "It costs more because of molybdenum.")
    assert holds("list", "Send grade, form, size, quantity and city.")
    assert not holds("list", "Send the grade and the size.")


def test_a_missing_value_is_completed_from_the_same_session() -> None:
    # The topical sentence is about tiers; the amounts are in the next sentence.
    text = _answer("gold tier ke liye kitna billing chahiye saal ka")
    assert "₹50 lakh" in text and "₹2 crore" in text
    # A quoted amount asks about the limit: the minimum payout, not only the payout date.
    assert "roll over" in _answer("my commission this month is only 600, will it still be paid?")


def test_a_comparison_gets_a_sentence_about_each_item() -> None:
    assert "molybdenum" in _answer("What makes SS316 different from SS304?")


def test_a_required_contact_is_never_completed_from_another_sentence() -> None:
    # Neha is named in the content but her number is not: the support desk's number must not
    # be added to make it look answered.
    assert _answer("what is neha kulkarni's mobile number?") == ""


def test_completion_keeps_answers_short() -> None:
    for question in ("why do sales partners earn more?", "what info goes in a quote request"):
        text = _answer(question)
        assert 0 < text.count(". ") + 1 <= 3 * 2, text  # at most three sentences per part
