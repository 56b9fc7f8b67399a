"""WordNet synonyms for words the content never uses: the file reader, the choice of readings,
the search without WordNet. Runs on a tiny WordNet database written by the test."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent import synonyms, wordnet
from agent.query import SYNONYM_WEIGHT, parse_query
from agent.terms import stem

# (pos, words, pointers as (symbol, target key, source word, target word)), keyed by name.
_SYNSETS = {
    "salary": ("noun", ["salary", "wage", "pay"], [("+", "remunerate", 0, 0)]),
    "remunerate": ("verb", ["remunerate", "pay"], []),
    "job": ("noun", ["job", "business"], []),
    "business": ("noun", ["business", "firm"], []),
    "complain": ("verb", ["complain", "kvetch"], [("+", "complaint", 1, 1), ("+", "kvetch", 2, 1)]),
    "complaint": ("noun", ["complaint"], []),
    "kvetch": ("noun", ["kvetch"], []),
    "office": ("noun", ["office"], []),
    "cutoff": ("noun", ["cutoff"], []),
    "cut_off": ("verb", ["cut_off"], []),
}
# Senses of each lemma, most frequent first (the index order).
_SENSES = {
    "noun": {"salary": ["salary"], "wage": ["salary"], "pay": ["salary"], "job": ["job"],
             "business": ["business", "job"], "firm": ["business"], "complaint": ["complaint"],
             "kvetch": ["kvetch"], "office": ["office"], "cutoff": ["cutoff"]},
    "verb": {"remunerate": ["remunerate"], "pay": ["remunerate"], "complain": ["complain"],
             "kvetch": ["complain"], "cut_off": ["cut_off"]},
}  # fmt: skip
_TAG = {"noun": "n", "verb": "v"}
_LICENCE = "  1 A test database in the WordNet 3.0 format.  \n"


def _write_wordnet(folder: Path) -> None:
    """data.* with real byte offsets, index.* sorted by lemma, as WordNet lays them out."""
    offsets: dict[str, int] = {}
    for write in (False, True):  # offsets are fixed width: the second pass fills them in
        for pos in ("noun", "verb", "adj", "adv"):
            text = _LICENCE
            for name in [n for n, s in _SYNSETS.items() if s[0] == pos]:
                offsets[name] = len(text.encode())
                _, words, pointers = _SYNSETS[name]
                ptrs = "".join(
                    f" {sym} {offsets.get(target, 0):08d} {_TAG[_SYNSETS[target][0]]} "
                    f"{src:02x}{dst:02x}"
                    for sym, target, src, dst in pointers
                )
                word_part = " ".join(f"{w} 0" for w in words)
                text += (
                    f"{offsets[name]:08d} 00 {_TAG[pos]} {len(words):02x} {word_part} "
                    f"{len(pointers):03d}{ptrs} | a gloss  \n"
                )
            if write:
                (folder / f"data.{pos}").write_text(text)
    for pos in ("noun", "verb", "adj", "adv"):
        index = _LICENCE
        for lemma in sorted(_SENSES.get(pos, {})):
            senses = _SENSES[pos][lemma]
            offs = " ".join(f"{offsets[s]:08d}" for s in senses)
            index += f"{lemma} {_TAG[pos]} {len(senses)} 0 {len(senses)} 0 {offs}  \n"
        (folder / f"index.{pos}").write_text(index)
    (folder / "noun.exc").write_text("wages wage\n")


@pytest.fixture
def tiny_wordnet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    _write_wordnet(tmp_path)
    monkeypatch.setenv("WNSEARCHDIR", str(tmp_path))
    _clear_caches()
    yield tmp_path
    _clear_caches()


def _clear_caches() -> None:
    wordnet.open_wordnet.cache_clear()
    synonyms.related.cache_clear()
    synonyms.in_dictionary.cache_clear()


def test_reader_finds_lemmas_senses_and_base_forms(tiny_wordnet: Path) -> None:
    wn = wordnet.open_wordnet()
    assert wn is not None and wn.root == tiny_wordnet
    assert wn.base_forms("salaries", "noun") == ["salary"]  # -ies -> -y
    assert wn.base_forms("wages", "noun") == ["wage"]  # the exception list
    assert wn.base_forms("titanium", "noun") == []
    (offset,) = wn.senses("salary", "noun", 3)
    assert wn.synset("noun", offset).words == ("salary", "wage", "pay")
    assert len(wn.senses("business", "noun", 1)) == 1


def test_only_unambiguous_synonyms_and_own_derived_forms(tiny_wordnet: Path) -> None:
    expected = {("wage",): 1.0, ("pay",): 1.0, ("remunerate",): synonyms.DERIVED}
    assert dict(synonyms.related("salary")) == expected
    # "business" is first of all a company, not a job: no reading.
    assert synonyms.related("job") == ()
    # The base form counts ("children" -> child, where stems differ); complain -> complaint
    # is derived from "complain", the noun kvetch from another word of the sense.
    expected = {("complain",): 1.0, ("kvetch",): 1.0, ("complaint",): synonyms.DERIVED}
    assert dict(synonyms.related("complains")) == expected


def test_readings_map_onto_the_content_and_the_lexicon(tiny_wordnet: Path) -> None:
    content = {stem("pay"), stem("complaint")}
    assert synonyms.readings("salary", content.__contains__) == [((stem("pay"),), 1.0)]
    # "wage" is no content word, but the lexicon's "pay" is an alias of "payout".
    via = synonyms.readings("salary", {stem("payout")}.__contains__)
    assert via == [((stem("payout"),), synonyms.VIA_LEXICON)]
    assert synonyms.readings("304", content.__contains__) == []


def test_a_query_word_the_content_lacks_searches_its_synonym(tiny_wordnet: Path) -> None:
    vocab = {stem("pay"), stem("partner")}
    query = parse_query("what salary does a partner get", vocab.__contains__, ["pay", "partner"])
    slot = next(s for s in query.slots if s.word == "salary")
    assert any(a.stems == (stem("pay"),) and a.weight == SYNONYM_WEIGHT for a in slot.alternatives)


def test_without_wordnet_the_search_runs_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WNSEARCHDIR", str(tmp_path))  # empty folder
    monkeypatch.setattr(wordnet, "_SEARCH_DIRS", ())
    monkeypatch.setattr(synonyms, "_warned", False)
    wordnet.open_wordnet.cache_clear()
    synonyms.related.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger="agent.synonyms"):
            assert synonyms.readings("salary", lambda _: True) == []
            assert synonyms.readings("wages", lambda _: True) == []
        assert sum("WordNet not installed" in r.message for r in caplog.records) == 1
    finally:
        monkeypatch.undo()
        wordnet.open_wordnet.cache_clear()
        synonyms.related.cache_clear()


def test_a_damaged_database_costs_the_synonyms_not_the_turn(tiny_wordnet: Path) -> None:
    (tiny_wordnet / "data.noun").write_text("garbage\n" * 50)
    assert synonyms.related("salary") == ()


@pytest.mark.skipif(wordnet.find_root() is None, reason="WordNet (wordnet-base) not installed")
def test_installed_wordnet_reads_salary_as_pay() -> None:
    synonyms.related.cache_clear()
    assert ("pay",) in dict(synonyms.related("salary"))
    assert ("business",) not in dict(synonyms.related("job"))


def test_a_dictionary_word_is_cut_in_two_only_where_the_dictionary_joins_them(
    tiny_wordnet: Path,
) -> None:
    def readings_of(word: str, content: list[str]) -> set[tuple[str, ...]]:
        vocab = {stem(w) for w in content}
        (slot,) = parse_query(word, vocab.__contains__, content).slots
        return {a.stems for a in slot.alternatives}

    # "office" means itself: not "off" + "ice", though both are content words here.
    assert (stem("off"), stem("ice")) not in readings_of("office", ["off", "ice"])
    # WordNet lists "cut off": its one-word spelling is read apart.
    assert (stem("cut"), stem("off")) in readings_of("cutoff", ["cut", "off"])
    # Not in the dictionary at all: two words run together.
    assert (stem("sales"), stem("team")) in readings_of("salesteam", ["sales", "team"])
