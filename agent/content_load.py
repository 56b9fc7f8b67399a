"""Replacing the whole training content under partners: what happens to them, and a version.

`genie kb load` and the undo of a load (`genie kb restore`, the dashboard) both go through
here, so a load is always recorded, always undoable, and partners are always moved the same
way (store.admin_models.fit_progress): completed sessions that no longer exist are dropped,
those that still exist are kept, a current session that no longer exists moves on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from store.admin import AdminStore
from store.admin_models import WHOLE_KB, ContentVersion, fit_progress
from store.base import TrainingStore
from store.models import TrainingSession
from store.partner_list import PartnerQuery

log = logging.getLogger("genie.admin")
PAGE = 1000


@dataclass
class LoadImpact:
    """What new content does to partners, counted before anything changes."""

    sessions: list[int]
    in_training: int = 0  # started, not finished (active or paused)
    losing: int = 0  # partners whose completed sessions include numbers that no longer exist
    dropped: set[int] = field(default_factory=set)  # those numbers
    keeping: int = 0  # in training and nothing changes for them
    moved: int = 0  # partners on a session that no longer exists
    moved_to: set[int] = field(default_factory=set)

    def lines(self) -> list[str]:
        """The impact in plain words, for the CLI."""
        numbers = ", ".join(map(str, sorted(self.dropped)))
        out = [_count(self.in_training, "partner is", "partners are") + " in training."]
        if self.losing:
            out.append(
                f"  {_count(self.losing, 'partner has', 'partners have')} completed sessions"
                f" that no longer exist ({numbers}): those are dropped, the others kept."
            )
        if self.moved:
            targets = ", ".join(map(str, sorted(self.moved_to)))
            out.append(
                f"  {_count(self.moved, 'partner is', 'partners are')} on a session that no"
                f" longer exists: moved to Session {targets} (past the end: the last one)."
            )
        keep = _count(self.keeping, "partner keeps", "partners keep")
        out.append(f"  {keep} their progress as it is.")
        return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def load_impact(admin: AdminStore, sessions: list[TrainingSession]) -> LoadImpact:
    """How partners' progress would change if the training became `sessions`."""
    numbers = sorted(s.s_no for s in sessions)
    impact = LoadImpact(sessions=numbers)
    offset = 0
    while True:
        page = admin.list_partners(PartnerQuery(limit=PAGE, offset=offset))
        for partner in page.items:
            kept, current = fit_progress(
                partner.completed_sections, partner.current_section, numbers
            )
            unfinished = partner.status in ("in_training", "paused")
            impact.in_training += unfinished
            if kept != partner.completed_sections:
                impact.losing += 1
                impact.dropped |= set(partner.completed_sections) - set(kept)
            if current != partner.current_section and current is not None:
                impact.moved += 1
                impact.moved_to.add(current)
            unchanged = (kept, current) == (partner.completed_sections, partner.current_section)
            impact.keeping += unfinished and unchanged
        offset += PAGE
        if offset >= page.total:
            return impact


def replace_training(
    store: TrainingStore,
    admin: AdminStore,
    sessions: list[TrainingSession],
    who: str,
    action: Literal["load", "restore"] = "load",
) -> ContentVersion:
    """Make `sessions` the training, recorded first as an undoable version, and fit every
    partner's progress to it. Returns the version."""
    version = admin.record_version(
        ContentVersion(
            s_no=WHOLE_KB,
            action=action,
            who=who,
            previous_kb=store.list_sessions(),
            current_kb=sorted(sessions, key=lambda s: s.s_no),
        )
    )
    store.replace_sessions(sessions)
    changed = admin.fit_progress_to_sessions([s.s_no for s in sessions])
    log.info(
        "training %s by %s: %d sessions, %d partners' progress fitted (version %s)",
        action, who, len(sessions), changed, version.id,
    )  # fmt: skip
    return version


def undo_sessions(version: ContentVersion) -> list[TrainingSession]:
    """The training to put back when undoing a whole-training version."""
    if version.previous_kb is None:
        raise ValueError(f"version {version.id} changed one session, not the whole training")
    if not version.previous_kb:
        raise ValueError(f"version {version.id} was loaded into an empty training: nothing to undo")
    return version.previous_kb
