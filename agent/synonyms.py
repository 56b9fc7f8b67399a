"""A partner's word the content never uses, read through WordNet: its synonyms and derived
forms that the content (or the alias lexicon) does use ("salary" -> pay -> payout).

Only unambiguous readings count: a synonym in one of the word's most frequent senses that
is also the synonym's own most frequent sense ("salary" and "pay", not "job" and
"business"). Broader words ("titanium" -> metal) are left out on purpose: they made
uncovered questions look covered on the dev sets (docs/evals.md).
Optional: without the WordNet files (Debian `wordnet-base`) the search runs without it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import lru_cache

from agent.terms import lexicon, stem
from agent.wordnet import POS, WordNet, open_wordnet

log = logging.getLogger(__name__)

SYNONYM = 1.0  # a word of the same sense
DERIVED = 0.8  # a derived form ("complain" -> complaint)
VIA_LEXICON = 0.8  # a related word that the alias lexicon maps onto the content
SENSES = 2  # the word's senses looked at, most frequent first: rarer ones are mostly noise
LEXICON_SENSES = 1  # through the lexicon (whose aliases are ambiguous too), the first only
MAX_READINGS = 3  # per word, the most trusted ones
_MARKER = re.compile(r"\(\w+\)$")  # adjective position markers: "galore(ip)"
_warned = False


def _words(lemma: str) -> tuple[str, ...]:
    return tuple(_MARKER.sub("", lemma).lower().replace("-", "_").split("_"))


@lru_cache(maxsize=8192)
def related(word: str, senses: int = SENSES) -> tuple[tuple[tuple[str, ...], float], ...]:
    """Unambiguous synonyms and derived forms of `word` (each as its words) in its first
    `senses` senses, with how close they are, closest first; () without WordNet (logged)."""
    global _warned
    wordnet = open_wordnet()
    if wordnet is None:
        if not _warned:
            _warned = True
            log.info("WordNet not installed (apt-get install wordnet-base): no synonym search")
        return ()
    found: dict[tuple[str, ...], float] = {}
    try:
        _collect(wordnet, word, senses, found)
    except (ValueError, IndexError, KeyError) as exc:  # a damaged file: no synonyms, no crash
        log.warning("WordNet files under %s unreadable for %r: %s", wordnet.root, word, exc)
        return ()
    return tuple(sorted(found.items(), key=lambda item: -item[1]))


def _collect(wordnet: WordNet, word: str, senses: int, found: dict[tuple[str, ...], float]) -> None:
    def add(lemma: str, pos: str, offset: int, weight: float) -> None:
        key = _words(lemma)
        dominant = wordnet.senses(_MARKER.sub("", lemma).lower(), pos, 1) == [offset]
        if dominant and key != (word,) and weight > found.get(key, 0.0):
            found[key] = weight

    for pos in POS:
        for base in wordnet.base_forms(word, pos):
            for offset in wordnet.senses(base, pos, senses):
                synset = wordnet.synset(pos, offset)
                for lemma in synset.words:
                    add(lemma, pos, offset, SYNONYM)
                own = synset.words.index(base) + 1 if base in synset.words else -1
                for symbol, target, target_pos, source, number in synset.pointers:
                    if symbol == "+" and source in (0, own):  # a form derived from `base`
                        words = wordnet.synset(target_pos, target).words
                        for lemma in words[number - 1 : number] if number else words:
                            add(lemma, target_pos, target, DERIVED)


@lru_cache(maxsize=8192)
def in_dictionary(lemma: str) -> bool:
    """True when WordNet lists the word or collocation ("cut_off") in some form; False
    without WordNet."""
    wordnet = open_wordnet()
    if wordnet is None:
        return False
    try:
        return any(wordnet.base_forms(lemma, pos) for pos in POS)
    except (ValueError, IndexError, KeyError):  # a damaged file: as if it were not listed
        return False


def readings(word: str, in_vocab: Callable[[str], bool]) -> list[tuple[tuple[str, ...], float]]:
    """Content stems `word` may stand for through WordNet (directly or through the alias
    lexicon), the most trusted first, with their weights relative to the word itself."""
    if len(word) < 3 or not word.isascii() or not word.isalpha():
        return []
    lex = lexicon()
    stop = lex.stopwords
    best: dict[tuple[str, ...], float] = {}

    def keep(words: tuple[str, ...], weight: float) -> None:
        stems = tuple(stem(w) for w in words if w not in stop)
        if stems and all(in_vocab(s) for s in stems) and weight > best.get(stems, 0.0):
            best[stems] = weight

    for words, weight in related(word):
        keep(words, weight)
    for words, weight in related(word, LEXICON_SENSES):
        if weight == SYNONYM:  # a derived form through the lexicon is two steps away
            for target in lex.aliases.get(words, ()):
                keep(target, weight * VIA_LEXICON)
    return sorted(best.items(), key=lambda item: -item[1])[:MAX_READINGS]
