"""A small reader of the WordNet 3.0 database files (Debian's `wordnet-base`): base forms,
senses and the words related to a word, read by binary search in the memory-mapped files.

No start-up cost: nothing is parsed until a word is looked up, and a lookup reads a few lines.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

POS = ("noun", "verb", "adj", "adv")
_POS_OF_TAG = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
# WordNet's own detachment rules (morphy): an inflected form's possible base forms.
_RULES = {
    "noun": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
             ("men", "man"), ("ies", "y")],
    "verb": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
             ("ing", "e"), ("ing", "")],
    "adj": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "adv": [],
}  # fmt: skip
_SEARCH_DIRS = ("/usr/share/wordnet", "/usr/local/share/wordnet", "/usr/share/wordnet/dict")


@dataclass(frozen=True)
class Synset:
    """One sense: its words and its pointers (symbol, target offset, target part of speech,
    source and target word numbers from 1, or 0 for the whole synset)."""

    words: tuple[str, ...]
    pointers: tuple[tuple[str, int, str, int, int], ...]


def find_root() -> Path | None:
    """The folder holding the database: $WNSEARCHDIR, $WNHOME/dict, or Debian's path."""
    candidates = [os.environ.get("WNSEARCHDIR", "")]
    if home := os.environ.get("WNHOME"):
        candidates.append(str(Path(home) / "dict"))
    candidates += _SEARCH_DIRS
    for folder in filter(None, candidates):
        if (Path(folder) / "index.noun").is_file() and (Path(folder) / "data.noun").is_file():
            return Path(folder)
    return None


def _map(path: Path) -> mmap.mmap:
    with path.open("rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _line_at(data: mmap.mmap, offset: int) -> bytes:
    end = data.find(b"\n", offset)
    return data[offset : end if end >= 0 else len(data)]


class WordNet:
    """The database in `root`; files are mapped on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index = {p: _map(root / f"index.{p}") for p in POS}
        self._data: dict[str, mmap.mmap] = {}
        self._exceptions: dict[str, dict[str, tuple[str, ...]]] = {}

    def _lookup(self, pos: str, lemma: str) -> bytes | None:
        """The index line of `lemma` (binary search: the files are sorted by lemma)."""
        data, key = self._index[pos], lemma.encode()
        lo, hi = 0, len(data)
        while lo < hi:
            start = data.rfind(b"\n", 0, (lo + hi) // 2) + 1
            line = _line_at(data, start)
            found = b"" if line.startswith(b" ") else line.split(b" ", 1)[0]  # licence lines
            if found == key:
                return line
            if found < key:
                lo = start + len(line) + 1
            else:
                hi = start
        return None

    def _exception(self, pos: str) -> dict[str, tuple[str, ...]]:
        if pos not in self._exceptions:
            path = self.root / f"{pos}.exc"
            table: dict[str, tuple[str, ...]] = {}
            if path.is_file():
                for row in path.read_text(encoding="utf-8", errors="replace").splitlines():
                    if parts := row.split():
                        table[parts[0]] = tuple(parts[1:])
            self._exceptions[pos] = table
        return self._exceptions[pos]

    def base_forms(self, word: str, pos: str) -> list[str]:
        """The lemmas `word` may be a form of (WordNet's morphy): itself, irregular forms,
        then its detached endings, as far as the index lists them."""
        forms = [word, *self._exception(pos).get(word, ())]
        forms += [word[: -len(old)] + new for old, new in _RULES[pos] if word.endswith(old)]
        seen: list[str] = []
        for form in forms:
            if form and form not in seen and self._lookup(pos, form) is not None:
                seen.append(form)
        return seen

    def senses(self, lemma: str, pos: str, limit: int) -> list[int]:
        """The offsets of the lemma's first `limit` senses (most frequent first)."""
        line = self._lookup(pos, lemma)
        if line is None:
            return []
        fields = line.split()
        pointer_count = int(fields[3])
        sense_count = int(fields[2])
        offsets = fields[6 + pointer_count : 6 + pointer_count + sense_count]
        return [int(o) for o in offsets[:limit]]

    def synset(self, pos: str, offset: int) -> Synset:
        """The synset at `offset` in data.`pos`."""
        if pos not in self._data:
            self._data[pos] = _map(self.root / f"data.{pos}")
        fields = _line_at(self._data[pos], offset).split(b" | ", 1)[0].decode().split()
        count = int(fields[3], 16)
        words = tuple(fields[4 + 2 * i].lower() for i in range(count))
        at = 4 + 2 * count
        pointers = []
        for i in range(int(fields[at])):
            symbol, target, tag, numbers = fields[at + 1 + 4 * i : at + 5 + 4 * i]
            source, goal = int(numbers[:2], 16), int(numbers[2:], 16)
            pointers.append((symbol, int(target), _POS_OF_TAG[tag], source, goal))
        return Synset(words, tuple(pointers))


@lru_cache(maxsize=1)
def open_wordnet() -> WordNet | None:
    """The installed WordNet, or None when its files are missing (or unreadable)."""
    root = find_root()
    if root is None:
        return None
    try:
        return WordNet(root)
    except (OSError, ValueError):
        return None
