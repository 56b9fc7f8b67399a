"""A partner's question as search slots: each word with the content terms it may stand for."""

from __future__ import annotations

import math
from collections.abc import Callable, Set
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from agent.synonyms import in_dictionary, readings
from agent.terms import Lexicon, lexicon, sound, stem, words

ALIAS_WEIGHT_IN_VOCAB = 0.5  # the partner's own word is in the content: its aliases count less
TYPO_WEIGHT = 0.8  # a word read as a typo of a content word
BRIDGE_WEIGHT = TYPO_WEIGHT  # a Devanagari loanword read as the English word it sounds like
SYNONYM_WEIGHT = 0.6  # a WordNet synonym or derived form of a word the content never uses
_MIN_TYPO_LENGTH = 6  # shorter words have too many neighbours one edit away ("match", "march")


@dataclass(frozen=True)
class Alternative:
    """One reading of a slot: content stems (all of a phrase) and how much it is trusted."""

    stems: tuple[str, ...]
    weight: float

    def found_in(self, terms: Set[str]) -> bool:
        """True when the terms hold this reading: a phrase needs two thirds of its words."""
        needed = math.ceil(len(self.stems) * 2 / 3)
        return sum(t in terms for t in self.stems) >= needed


@dataclass(frozen=True)
class Slot:
    """One thing the question mentions; a passage covers it when any alternative matches."""

    word: str
    alternatives: tuple[Alternative, ...]
    stems: frozenset[str] = field(init=False)  # every content stem this slot may match

    def __post_init__(self) -> None:
        stems = frozenset(s for alt in self.alternatives for s in alt.stems)
        object.__setattr__(self, "stems", stems)

    def trust(self, terms: Set[str]) -> float:
        """The weight of the most trusted reading the terms hold (0: none)."""
        if self.stems.isdisjoint(terms):
            return 0.0
        return max((a.weight for a in self.alternatives if a.found_in(terms)), default=0.0)


@dataclass
class Query:
    """The slots of a question, plus its words the content never uses (after aliases/typos)."""

    text: str
    slots: list[Slot] = field(default_factory=list)

    def unknown(self, known: Callable[[str], bool]) -> list[str]:
        """Words of slots none of whose stems is in the content."""
        return [s.word for s in self.slots if not any(known(t) for t in s.stems)]


def _typo_fix(word: str, vocabulary: list[str]) -> str | None:
    """The content word one edit away (two for long words), if the word looks like a typo."""
    if len(word) < _MIN_TYPO_LENGTH or not word.isascii() or not word.isalpha():
        return None
    limit = 1 if len(word) < 9 else 2
    # People rarely get the first letter wrong: looking only there avoids far-fetched fixes.
    same_start = [w for w in vocabulary if w[0] == word[0]]
    best = process.extractOne(word, same_start, scorer=Levenshtein.distance, score_cutoff=limit)
    return str(best[0]) if best else None


_PREFIXES = ("un", "non")  # negations keep the topic; "re-", "dis-" often change it
_SUFFIXES = ("ly", "al", "ally", "ness", "ity", "ful", "ment", "ship", "wise")


def _word_family(word: str, in_vocab: Callable[[str], bool]) -> str | None:
    """A content stem the word is derived from ("unethical" -> ethic, "monthly" -> month)."""
    if not word.isascii() or not word.isalpha():
        return None
    cuts = [word[len(p) :] for p in _PREFIXES if word.startswith(p)]
    cuts += [word[: -len(s)] for s in _SUFFIXES if word.endswith(s)]
    for cut in cuts:
        if len(cut) >= 4 and in_vocab(stem(cut)):
            return stem(cut)
    return None


def _compound(word: str, in_vocab: Callable[[str], bool]) -> tuple[str, ...] | None:
    """Two content words written as one ("cutoff" -> cut off, "salesteam" -> sales team).
    A dictionary word is cut only where the dictionary knows the two words together:
    "office" has a meaning of its own, not "off" + "ice"."""
    if not word.isascii() or not word.isalpha():
        return None
    for cut in range(3, len(word) - 2):
        parts = (stem(word[:cut]), stem(word[cut:]))
        if not all(in_vocab(p) for p in parts):
            continue
        if not in_dictionary(word) or in_dictionary(f"{word[:cut]}_{word[cut:]}"):
            return parts
    return None


def _sounds_stopped(word: str, lex: Lexicon) -> bool:
    """A Hinglish filler spelled another way ("chaiye", "kitnaa")."""
    return len(word) > 2 and word.isascii() and word.isalpha() and sound(word) in lex.stopped_sounds


def _targets(lex: Lexicon, key: tuple[str, ...], weight: float) -> list[Alternative]:
    stop = lex.stopwords
    alts = []
    for target in lex.aliases.get(key, ()):
        stems = tuple(stem(w) for w in target if w not in stop)
        if stems:
            alts.append(Alternative(stems, weight))
    return alts


def _heard(
    lex: Lexicon, heard: tuple[str, ...], in_vocab: Callable[[str], bool]
) -> list[Alternative]:
    """The readings of a loanword heard as these words: the content's, or the lexicon's."""
    alts = [Alternative((stem(w),), BRIDGE_WEIGHT) for w in heard if in_vocab(stem(w))]
    alts += [a for w in heard for a in _targets(lex, (w,), BRIDGE_WEIGHT)]
    return list(dict.fromkeys(alts))  # "plates" -> plate, and the lexicon's plate


def parse_query(
    text: str,
    in_vocab: Callable[[str], bool],
    vocabulary: list[str],
    hear: Callable[[str], tuple[str, ...]] | None = None,
) -> Query:
    """Read `text` into slots using the alias lexicon, the content's vocabulary and typo fixes.

    `in_vocab(stem)` says whether the content uses a stem; `vocabulary` lists its words;
    `hear(word)` are the words a Devanagari loanword sounds like (agent/devanagari_bridge.py).
    """
    lex = lexicon()
    stop = lex.stopwords
    found = words(text)
    query = Query(text)
    i = 0
    while i < len(found):
        phrase = next(
            (
                size
                for size in range(min(lex.longest, len(found) - i), 1, -1)
                if tuple(found[i : i + size]) in lex.aliases
            ),
            None,
        )
        if phrase is not None:
            key = tuple(found[i : i + phrase])
            alts = _targets(lex, key, 1.0)
            own = tuple(stem(w) for w in key if w not in stop and in_vocab(stem(w)))
            if own:
                alts.append(Alternative(own, ALIAS_WEIGHT_IN_VOCAB))
            query.slots.append(Slot(" ".join(key), tuple(alts)))
            i += phrase
            continue
        word = found[i]
        after_how = i > 0 and found[i - 1] == "how"
        i += 1
        if word in stop or (len(word) == 1 and word.isascii()):
            continue  # "u", "r", "n" and the like: chat shorthand, never a topic
        own_stem = stem(word)
        known = in_vocab(own_stem)
        shape = own_stem in lex.stopped_stems or after_how or _sounds_stopped(word, lex)
        if shape and not known and (word,) not in lex.aliases:
            continue  # "makes", "happens"; "how fast", "how early": the question's shape
        alts = [Alternative((own_stem,), 1.0)]
        alts += _targets(lex, (word,), ALIAS_WEIGHT_IN_VOCAB if known else 1.0)
        if not known and len(alts) == 1 and word.isascii() and word.isalpha():
            spelled = lex.sounds.get(sound(word))  # "keemat" for the listed "kimat"
            alts += _targets(lex, spelled, TYPO_WEIGHT) if spelled else []
        if word[0].isdigit() and len(alts) == 1 and not known:
            continue  # a value the partner quotes ("200 kg"), not a topic to look up
        devanagari = not word.isascii()  # words() keeps Latin and Devanagari runs only
        if not known and len(alts) == 1 and devanagari and hear and (heard := hear(word)):
            alts += _heard(lex, heard, in_vocab)
        if not known and len(alts) == 1:
            family = _word_family(word, in_vocab)
            fixed = family or (stem(f) if (f := _typo_fix(word, vocabulary)) else None)
            joined = _compound(word, in_vocab) if fixed is None else None
            if fixed is not None:
                alts.append(Alternative((fixed,), TYPO_WEIGHT))
            elif joined is not None:
                alts.append(Alternative(joined, TYPO_WEIGHT))
            else:
                alts += [Alternative(s, w * SYNONYM_WEIGHT) for s, w in readings(word, in_vocab)]
        query.slots.append(Slot(word, tuple(alts)))
    return query
