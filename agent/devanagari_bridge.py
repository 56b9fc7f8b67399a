"""English loanwords written in Devanagari, read as the content's own words: "स्टेनलेस ग्रेड"
finds "stainless grade", "फॉर्मेट" finds "format", "वेबसाइट" finds the lexicon's "website".

Partners write English technical words in Devanagari, spelled by ear. A word the content and
the alias lexicon do not know is romanized (a compact table: Hindi schwa deletion, nukta and
chandrabindu already folded by `terms.normalize`) and compared by sound with the words of the
loaded content and the lexicon's Latin variants: same consonant skeleton, close spelling.
Hindi's own short words sound like English ones ("कल" and "call", "पास" and "pass"), so a word
of one or two consonants is only read when it is spelled the way only a loanword is (ऑ, or a
cluster at its start) and sounds exactly the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from agent.terms import Lexicon, stem

# Rapidfuzz ratio of the sound keys with vowels folded, for words of four consonants or more
# (about one letter in seven may differ); three consonants must fold to the same key.
MIN_RATIO = 85
MIN_SHORT_SPELLING = 80  # three consonants: the spelled keys' ratio too
MAX_READINGS = 2  # equally close words kept; more than this and the word is left alone
SHORT_SKELETON = 2  # at most this many consonants: only an exact loanword-shaped match
_KEPT_READINGS = 4096  # words read, cached (about 20 µs each the first time)
_MIN_LETTERS = 3  # shorter targets ("mm", "id") are codes, not words one spells by ear


def _table(letters: str, sounds: str) -> dict[str, str]:
    return dict(zip(letters.split(), sounds.split(), strict=True))


_CONSONANTS = _table(
    "क ख ग घ ङ च छ ज झ ञ ट ठ ड ढ ण त थ द ध न प फ ब भ म य र ल ळ व श ष स ह",
    "k kh g gh n ch chh j jh n t th d dh n t th d dh n p f b bh m y r l l v sh sh s h",
)
# Vowel signs and the vowels they stand for: ऑ (the "aw" of "call") exists only for loanwords,
# and ऐ writes the a of "bank" and "cash" (English "ai" is written ए: "plate", "प्लेट").
_SIGNS = _table("ा ि ी ु ू ृ े ै ो ौ ॉ ॅ", "a i i u u ri e a o o o e")
_VOWELS = _table("अ आ इ ई उ ऊ ऋ ए ऐ ओ औ ऑ ऍ", "a a i i u u ri e a o o o e")
_VIRAMA, _ANUSVARA, _VISARGA = "\u094d", "\u0902", "\u0903"
_LOAN_ONLY = ("\u0949", "\u0911")  # ॉ, ऑ

# English spelling to the sound a Hindi speaker writes: longest first within each step.
_ENGLISH_SOUNDS = [
    (re.compile(r"ck"), "k"), (re.compile(r"ph"), "f"), (re.compile(r"[ts]ion"), "shan"),
    (re.compile(r"d?g(?=e$)|(?<=.)g(?=[eiy])"), "j"),  # "page", "manager"; not "get", "gift"
    (re.compile(r"ch(?=[lr])"), "k"), (re.compile(r"ch"), "C"), (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"), (re.compile(r"C"), "ch"), (re.compile(r"x"), "ks"),
    (re.compile(r"(ai|ay|ei|ey)"), "e"), (re.compile(r"(ee|ea|ie)"), "i"),
    (re.compile(r"ou(?=n|t)"), "au"), (re.compile(r"(oo|ou)"), "u"),
    (re.compile(r"(oa|au|aw|al(?=[lk]))"), "o"),  # "call" and "talk" as "कॉल", "टॉक"
    # A silent final e lengthens the vowel before it: "plate(s)" is "plet", "site" is "sait".
    (re.compile(r"a(?=[^aeiou]es?$)"), "e"), (re.compile(r"i(?=[^aeiouv]es?$)"), "ai"),
    (re.compile(r"(?<=[^aeiou])e(?=s?$)"), ""),
]  # fmt: skip
_SHARED_SOUNDS = [
    # Only "ch", "sh", "th" lose their h: a Hindi word with खघझढधभ is rarely borrowed.
    (re.compile(r"(?<=[cst])h"), ""), (re.compile(r"w"), "v"), (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"), (re.compile(r"y(?=[^aeiou]|$)"), "i"), (re.compile(r"(.)\1+"), r"\1"),
]  # fmt: skip
_NOT_CONSONANT = re.compile(r"[aeiou]")
_OPEN_VOWEL = re.compile(r"[aeou]")
_VOICED_S = re.compile(r"(?<=[aeiou])s(?=[aeiou])")


def is_devanagari(word: str) -> bool:
    """True when `word` is written in Devanagari letters."""
    return bool(word) and all("\u0900" <= ch <= "\u097f" for ch in word)


def romanize(word: str) -> str:
    """A Devanagari word in plain Latin letters, with the unspoken schwas left out
    ("स्टेनलेस" -> "stenles", "कटिंग" -> "kating")."""
    syllables: list[list[str]] = []  # [consonant, vowel, "schwa" when the vowel is inherent]
    for ch in word:
        if ch in _CONSONANTS:
            syllables.append([_CONSONANTS[ch], "a", "schwa"])
        elif ch in _SIGNS and syllables:
            syllables[-1][1:] = [_SIGNS[ch], ""]
        elif ch == _VIRAMA and syllables:
            syllables[-1][1:] = ["", ""]
        elif ch in _VOWELS:
            syllables.append(["", _VOWELS[ch], ""])
        elif ch in (_ANUSVARA, _VISARGA) and syllables:
            syllables[-1][1] += "n" if ch == _ANUSVARA else "h"
            syllables[-1][2] = ""
    _drop_schwas(syllables)
    return "".join(c + v for c, v, _ in syllables)


def _drop_schwas(syllables: list[list[str]]) -> None:
    """Hindi leaves a word's last inherent vowel unspoken, and a middle one between two
    spoken vowels ("कमरा" is "kamra"); scanned from the end, as the rule is usually stated."""
    if len(syllables) > 1 and syllables[-1][2]:
        syllables[-1][1] = ""
    for i in range(len(syllables) - 2, 0, -1):
        before, this, after = syllables[i - 1], syllables[i], syllables[i + 1]
        if this[2] and before[1] and after[0] and after[1]:
            this[1] = ""


def _canon(text: str) -> str:
    for pattern, new in _SHARED_SOUNDS:
        text = pattern.sub(new, text)
    return text


def sound_key(word: str) -> str:
    """How a word sounds, spelling aside, in either script ("stainless" and "स्टेनलेस" agree)."""
    if is_devanagari(word):
        return _canon(romanize(word))
    word = word.lower()
    for pattern, new in _ENGLISH_SOUNDS:
        word = pattern.sub(new, word)
    return _canon(word)


def skeleton(key: str) -> str:
    """The consonants of a sound key, in order."""
    return _NOT_CONSONANT.sub("", key)


def coarse(key: str) -> str:
    """A sound key with its vowels reduced to "a" and "i": Hindi's short a stands for English
    u, o and a alike ("बोनस" bonus, "कटिंग" cutting), and ै for the a of "bank"."""
    return _OPEN_VOWEL.sub("a", key)


def _loan_shaped(word: str) -> bool:
    """Spelled as only a borrowed word is: ऑ/ॉ, or two consonants joined at its start."""
    return any(sign in word for sign in _LOAN_ONLY) or (len(word) > 2 and word[1] == _VIRAMA)


class Bridge:
    """Reads unknown Devanagari words as sound-alike words of one content's vocabulary."""

    def __init__(self, targets: Iterable[str], stopwords: Iterable[str] = ()) -> None:
        self._by_skeleton: dict[str, list[tuple[str, str]]] = {}
        for target in sorted(set(targets)):
            if len(target) >= _MIN_LETTERS and (target.isalpha() or is_devanagari(target)):
                for form in _forms(target):
                    key = sound_key(form)
                    self._by_skeleton.setdefault(skeleton(key), []).append((target, key))
        # "कामों" is "काम" (work) inflected: a word whose stem is a stopword's is not read.
        self._stopped = frozenset(stem(w) for w in stopwords if is_devanagari(w))
        self._seen: dict[str, tuple[str, ...]] = {}

    def match(self, word: str) -> tuple[str, ...]:
        """The targets `word` (or its Hindi stem: "प्लेटें") sounds like, when one or two
        (the same word in two scripts, "sales" and "sells") do clearly; () otherwise."""
        found = self._seen.get(word)  # shared by the worker threads: read once, no lock
        if found is None:
            base = stem(word)
            readable = is_devanagari(word) and base not in self._stopped
            found = self._match(word) if readable else ()
            if readable and not found and base != word:
                found = self._match(base)
            if len(self._seen) >= _KEPT_READINGS:
                self._seen.clear()  # partners' words are unbounded; the cache is not
            self._seen[word] = found
        return found

    def _match(self, word: str) -> tuple[str, ...]:
        key = sound_key(word)
        bones = skeleton(key)
        candidates = [(t, k) for t, k in self._by_skeleton.get(bones, []) if t != word]
        if len(bones) <= SHORT_SKELETON:
            if not _loan_shaped(word):
                return ()
            return _few(t for t, k in candidates if k == key)
        # Ranked by the folded vowels, then by the spelled ones ("reling": railing, not rolling).
        scored = sorted(
            ((fuzz.ratio(coarse(key), coarse(k)), fuzz.ratio(key, k), t) for t, k in candidates),
            reverse=True,
        )
        if not scored or not _close_enough(len(bones), *scored[0][:2]):
            return ()
        return _few(t for *score, t in scored if tuple(score) == scored[0][:2])


def _few(targets: Iterable[str]) -> tuple[str, ...]:
    """One target per word (stem), when there are at most MAX_READINGS of them."""
    by_stem = {stem(t): t for t in sorted(targets, reverse=True)}  # "plate" over "plates"
    return tuple(sorted(by_stem.values())) if len(by_stem) <= MAX_READINGS else ()


def _close_enough(consonants: int, folded: float, spelled: float) -> bool:
    """Long words may differ a little; three consonants must agree with vowels folded and
    be spelled alike too ("बचते", bachte, is not the Hinglish "bechta")."""
    if consonants > SHORT_SKELETON + 1:
        return folded >= MIN_RATIO
    return folded == 100 and spelled >= MIN_SHORT_SPELLING


def _forms(target: str) -> list[str]:
    """A target as it may be heard: an English plural as its singular too ("railings" as
    "railing"), an s between vowels as z too ("deposit" as "डिपॉज़िट", "basic" as "बेसिक")."""
    if not target.isascii():
        return [target]
    forms = [target]
    if len(target) > 4 and target.endswith("s") and target[-2] != "s":
        forms.append(target[:-1])
    forms += [voiced for form in forms if (voiced := _VOICED_S.sub("z", form)) != form]
    return forms


def for_content(vocabulary: Iterable[str], lexicon: Lexicon) -> Bridge:
    """The bridge to one content's words and the lexicon's one-word Latin variants (which
    lead on to the content's terms: "वेबसाइट" -> website -> portal)."""
    variants = (key[0] for key in lexicon.aliases if len(key) == 1 and key[0].isascii())
    return Bridge([*vocabulary, *variants], lexicon.stopwords)
