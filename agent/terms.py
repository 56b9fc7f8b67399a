"""Search terms of a text: English stems, Devanagari words as written, the alias lexicon applied."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
import yaml
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from prompts import prompts_dir

ALIASES_FILE = "aliases.yaml"
# Numbers ("1,500", "0.5"), Latin words and codes ("ss304", "304l", "kp-12345" as two words),
# or runs of Devanagari letters and vowel signs (not the danda).
_WORD = re.compile(
    r"\d+(?:,\d{2,3})+(?:\.\d+)?|\d+\.\d+|[a-z0-9]+(?:'[a-z]+)?|[\u0900-\u0963\u0971-\u097f]+"
)
_POSSESSIVE = re.compile(r"'s$|'")
_STEMMER = snowballstemmer.stemmer("english")
# Words that carry the shape of a question, not its subject.
_QUESTION_WORDS = {
    "what", "how", "tell", "explain", "again", "please", "much", "many", "long", "get", "make",
    "need", "happen", "someone", "take", "give", "want", "will", "would", "could", "should",
    "can", "do", "does", "did", "know", "ok", "still", "kind", "sort", "way", "which", "who",
    "when", "where", "why", "there", "any", "also", "us", "we", "our", "i", "me", "my",
}  # fmt: skip


# scikit-learn's English stopwords, less the ones that name things in training content
# ("mill", "bill", "call", "full", "interest", numbers): those stay searchable.
_ENGLISH = frozenset(ENGLISH_STOP_WORDS) - {
    "amount", "bill", "call", "fill", "first", "five", "four", "full", "interest", "last",
    "least", "less", "mill", "move", "name", "off", "one", "two", "three", "third", "thick",
    "thin", "six", "ten", "twelve", "fifteen", "twenty", "forty", "fifty", "sixty", "hundred",
    "system", "fire", "top", "bottom", "side", "detail", "cry",
}  # fmt: skip


def normalize(text: str) -> str:
    """Lower case, NFC, Devanagari nukta and chandrabindu folded (people type both ways)."""
    text = unicodedata.normalize("NFC", text).lower()
    return text.replace("\u093c", "").replace("\u0901", "\u0902").replace("’", "'")


def words(text: str) -> list[str]:
    """The words of `text` as written (normalised), numbers without thousands separators."""
    found = _WORD.findall(normalize(text))
    return [w.replace(",", "") if w[0].isdigit() else _POSSESSIVE.sub("", w) for w in found]


# Hindi inflections, longest first (after Ramanathan & Rao's light stemmer): "शहरों" and
# "शहर", "दिनों" and "दिन" are one term. Only stripped when a stem of two letters or more stays.
_HINDI_SUFFIXES = sorted(
    ["ों", "ें", "ीं", "ियों", "ियां", "ियाँ", "ाओं", "ाएं", "ाएँ", "ाइयां", "ता", "ती", "ते",
     "ना", "नी", "ने", "ा", "ी", "े", "ि", "ु", "ू", "ो", "ाना", "ाने", "ानी", "कर"],
    key=len, reverse=True,
)  # fmt: skip


def _hindi_stem(word: str) -> str:
    for suffix in _HINDI_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The Snowball stem of a Latin-script word, a light stem of a Devanagari one; numbers
    stay as written."""
    if word[0].isdigit():
        return word
    if not word.isascii():
        return _hindi_stem(word) if "\u0900" <= word[0] <= "\u097f" else word
    return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class Lexicon:
    """The alias lexicon: phrases partners use mapped to the content's terms."""

    aliases: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]  # variant words -> terms' words
    stopwords: frozenset[str]  # never searched: English stopwords, question shapes, `ignore`
    stopped_stems: frozenset[str]  # their stems: "makes", "happens" shape a question like "make"
    kinds: dict[tuple[str, ...], str]
    longest: int
    sounds: dict[str, tuple[str, ...]]  # a one-word variant's spelling-free form -> the variant
    stopped_sounds: frozenset[str]  # spelling-free forms of the stopwords ("chahiye", "chaiye")


# Hinglish has no fixed spelling ("paisaa", "paisa"; "keemat", "kimat"): these rewrites give
# the variants of a word one form, so a spelling the lexicon lacks still finds its entry.
_SOUNDS = [("ph", "f"), ("w", "v"), ("z", "j"), ("q", "k"), ("ck", "k"), ("ee", "i"),
           ("oo", "u"), ("aa", "a"), ("ai", "e"), ("y", "i")]  # fmt: skip
_DOUBLE = re.compile(r"(.)\1+")


def sound(word: str) -> str:
    """A Latin word's spelling-free form: "paisaa", "paisa" and "peisa" read the same."""
    for old, new in _SOUNDS:
        word = word.replace(old, new)
    word = _DOUBLE.sub(r"\1", word)
    return word[:-1] if len(word) > 3 and word.endswith("h") else word


def _phrase(text: object) -> tuple[str, ...]:
    return tuple(words(str(text)))


def parse_lexicon(data: object, name: str = ALIASES_FILE) -> Lexicon:
    """Build a Lexicon from the parsed YAML; a malformed file raises ValueError naming it."""
    if not isinstance(data, dict):
        raise ValueError(f"{name} must be a mapping with 'aliases', 'ignore' and 'kinds'")
    aliases: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for term, variants in (data.get("aliases") or {}).items():
        if not isinstance(variants, list):
            raise ValueError(f"{name}: aliases of {term!r} must be a list")
        target = _phrase(term)
        for variant in variants:
            key = _phrase(variant)
            if key and target and target not in aliases.setdefault(key, []):
                aliases[key].append(target)
    kinds = {
        _phrase(word): str(kind)
        for kind, listed in (data.get("kinds") or {}).items()
        for word in listed or []
    }
    ignore = {w for item in data.get("ignore") or [] for w in words(str(item))}
    stopwords = _ENGLISH | _QUESTION_WORDS | ignore
    longest = max((len(k) for k in [*aliases, *kinds]), default=1)
    frozen = {k: tuple(v) for k, v in aliases.items()}
    stems = frozenset(stem(w) for w in stopwords if w.isascii() and w.isalpha())
    sounds: dict[str, tuple[str, ...]] = {}
    for key in frozen:
        if len(key) == 1 and key[0].isascii() and key[0].isalpha() and len(key[0]) >= 4:
            sounds.setdefault(sound(key[0]), key)
    quiet = frozenset(sound(w) for w in stopwords if w.isascii() and w.isalpha() and len(w) > 2)
    return Lexicon(frozen, stopwords, stems, kinds, longest, sounds, quiet)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice (YAML would silently keep the last)."""


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[object, object]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise ValueError(f"line {line}: {key!r} is listed twice: merge its aliases")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Lexicon:
    name = Path(path).name
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_StrictLoader)
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from exc
    return parse_lexicon(data, name)


def lexicon() -> Lexicon:
    """The lexicon in prompts/aliases.yaml (re-read when the file changes)."""
    path = prompts_dir() / ALIASES_FILE
    return _load(str(path), path.stat().st_mtime)


def content_terms(text: str, stopwords: frozenset[str] | None = None) -> list[str]:
    """Stems of the content words of `text` (no aliases: content is indexed as written)."""
    stop = lexicon().stopwords if stopwords is None else stopwords
    return [stem(w) for w in words(text) if w not in stop]


def answer_kinds(text: str) -> set[str]:
    """The kinds of answer a question asks for ("number", "contact", "place")."""
    found = words(text)
    lex = lexicon()
    return {
        kind
        for size in range(1, lex.longest + 1)
        for i in range(len(found) - size + 1)
        if (kind := lex.kinds.get(tuple(found[i : i + size]))) is not None
    }
