"""Retrieval rules: Devanagari terms, the alias lexicon, typo fixes, example questions, answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.extract import extract
from agent.retrieval import KnowledgeIndex
from agent.terms import parse_lexicon, stem, words
from store.kb_files import sample_sessions
from store.models import TrainingSession

INDEX = KnowledgeIndex(sample_sessions())


def _answer(question: str) -> tuple[list[int], str]:
    finding = INDEX.find(question)
    parts = extract(INDEX, finding)
    return [p.s_no for p in parts], " ".join(p.text for p in parts)


def test_devanagari_words_stay_whole_and_unstemmed() -> None:
    assert words("कोटेशन कितने दिन तक वैध है? लेज़र") == ["कोटेशन", "कितने", "दिन", "तक", "वैध", "है", "लेजर"]
    assert stem("कोटेशन") == "कोटेशन" and stem("quotations") == "quotat"
    # A light Hindi stemmer: plural and oblique forms are one term with the word.
    assert stem("शहरों") == stem("शहर") == "शहर" and stem("दिनों") == "दिन"
    assert stem("में") == "में"  # too short to strip
    assert words("What's the ₹1,500 charge on SS-304?") == [
        "what",
        "the",
        "1500",
        "charge",
        "on",
        "ss",
        "304",
    ]


def test_aliases_find_content_written_in_other_words() -> None:
    sessions, text = _answer("godown se pickup kab kar sakte hai")
    assert sessions == [4] and "collect from the warehouse between 9 am and 5 pm" in text
    sessions, text = _answer("commision kab milta hai")  # typo + Hinglish
    assert sessions[0] == 5 and "10th" in text


def test_the_answer_is_the_sentences_that_hold_it_not_the_paragraph() -> None:
    sessions, text = _answer("What is the minimum order quantity?")
    assert sessions == [3] and "500 kg per grade" in text
    assert "Price depends" not in text and len(text) < 300


def test_out_of_scope_questions_are_not_covered() -> None:
    for question in ["can I sell in Dubai?", "what's the weather in Pune?", "who won the match?"]:
        assert _answer(question) == ([], ""), question


def test_an_index_works_on_any_sessions_including_translated_ones() -> None:
    hindi = TrainingSession(
        s_no=1, heading="कोटेशन और कीमत", content="कोटेशन 7 दिन तक वैध रहता है। तांबे का कोटेशन 48 घंटे।"
    )
    index = KnowledgeIndex([hindi])
    finding = index.find("कोटेशन कितने दिन वैध है")
    assert finding.covered and "7 दिन" in extract(index, finding)[0].text
    assert KnowledgeIndex([]).search("anything") == []


def test_example_questions_match_question_to_question() -> None:
    plain = TrainingSession(s_no=1, heading="Payouts", content="Money is sent on the 10th by NEFT.")
    asked = "when do I get my money?"
    with_examples = plain.model_copy(update={"questions": ["When will I get my money?"]})
    assert KnowledgeIndex([with_examples]).find(asked).example_match > 0.6
    assert KnowledgeIndex([plain]).find(asked).example_match == 0.0


def test_a_malformed_lexicon_is_a_clear_error() -> None:
    try:
        parse_lexicon({"aliases": {"price": "rate"}})
    except ValueError as exc:
        assert "aliases of 'price' must be a list" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_a_term_listed_twice_in_the_lexicon_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent import terms

    (tmp_path / "aliases.yaml").write_text(
        "aliases:\n  price: [rate]\n  price: [cost]\nignore: []\nkinds: {}\n", encoding="utf-8"
    )
    monkeypatch.setenv("PROMPTS_DIR", str(tmp_path))
    try:
        terms.lexicon()
    except ValueError as exc:
        assert "aliases.yaml line 3: 'price' is listed twice" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_question_shape_words_are_not_topics() -> None:
    """Inflected question verbs and an unknown word after "how" shape a question only."""
    assert [s.word for s in INDEX.parse("what makes a lead protected").slots] == [
        "lead",
        "protected",
    ]
    assert [s.word for s in INDEX.parse("how speedy is the payout").slots] == ["payout"]
    # A word after "how" that the content uses is still searched.
    assert INDEX.parse("how thick can plasma cut").slots[0].word == "thick"


def test_an_unknown_word_derived_from_a_content_word_searches_for_it() -> None:
    slot = INDEX.parse("unethical").slots[0]
    assert not INDEX.known(stem("unethical")) and "ethic" in slot.stems


def test_a_question_for_a_phone_or_email_the_content_lacks_is_not_covered() -> None:
    # The content names Neha Kulkarni but gives no contact for her.
    assert _answer("what is the email address of Neha Kulkarni") == ([], "")
    sessions, text = _answer("what is the quotes desk whatsapp number")
    assert sessions == [3] and "+91 20 4000 7711" in text


def test_hinglish_spellings_the_lexicon_lacks_still_find_their_entry() -> None:
    """Hinglish has no fixed spelling: "keemath" is read as the listed "keemat"."""
    price = INDEX.parse("keemath kya hai ss304 ki").slots[0]
    assert price.word == "keemath" and "price" in price.stems
    # Fillers spelled another way are not topics: only "discount" is searched.
    assert [s.word for s in INDEX.parse("kitnaa discount chahye").slots] == ["discount"]


def test_how_long_prefers_the_sentence_with_a_span_of_time() -> None:
    # Both sentences name mill-direct orders with a number; only one says how long.
    sessions, text = _answer("How long do mill-direct orders take?")
    assert sessions == [4] and "3 to 5 weeks" in text and "10%" not in text


def test_the_question_shape_breaks_ties_between_sentences_on_one_topic() -> None:
    # "take" is no topic, but the sentence that uses it is the one that answers.
    sessions, text = _answer("how long does the consignment take for mill direct stuff")
    assert sessions[0] == 4 and "3 to 5 weeks" in text


def test_two_content_words_written_as_one_are_read_apart() -> None:
    sessions, text = _answer("what is the cutoff hour for same day processing")
    assert sessions[0] == 4 and "2 pm" in text
