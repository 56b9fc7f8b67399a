"""The expected replies and final progress of each script, from the engine run in-process."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from agent.engine import Engine
from agent.messages import Inbound
from evals.bench.environment import PUBLIC_BASE_URL
from evals.bench.script import Partner, Step
from store.factory import seed_if_empty
from store.models import Progress
from store.sqlite_store import SQLiteStore

EngineFactory = Callable[[SQLiteStore], Engine]


@dataclass(frozen=True)
class FinalState:
    """The part of a partner's progress a whole training must leave right."""

    completed: tuple[int, ...]
    current: int | None
    in_training: bool
    started: bool

    @staticmethod
    def of(progress: Progress | None) -> FinalState:
        """The final state of a stored progress record (None: nothing saved)."""
        if progress is None:
            return FinalState((), None, False, False)
        return FinalState(
            tuple(sorted(progress.completed_sections)),
            progress.current_section,
            progress.in_training_mode,
            progress.training_started,
        )


@dataclass
class Expected:
    """Per step, every acceptable list of reply texts; and the final state."""

    replies: list[list[list[str]]]
    final: FinalState

    def count(self, step: int) -> int:
        """How many replies step `step` must produce (the first alternative's count)."""
        return len(self.replies[step][0])


def _run(factory: EngineFactory, partner: Partner, script: list[Step]) -> Expected:
    """Play one script on a fresh seeded SQLite file; the replies and the final state."""
    with tempfile.TemporaryDirectory(prefix="genie-ref-") as folder:
        store = SQLiteStore(Path(folder) / "reference.db")
        try:
            seed_if_empty(store)
            engine = factory(store)
            # The services link certificates under the bench's public URL: match their texts.
            engine.trainer.quiz_config = replace(
                engine.trainer.quiz_config, public_base_url=PUBLIC_BASE_URL, certificate_dir=None
            )
            replies = []
            for step in script:
                inbound = Inbound(phone=partner.phone, text=step.text, profile_name=partner.name)
                replies.append([[r.text for r in engine.handle_message(inbound)]])
            return Expected(replies, FinalState.of(store.get_progress(partner.phone)))
        finally:
            store.close()


def expected_for(
    partner: Partner, script: list[Step], llm_factory: EngineFactory | None
) -> Expected:
    """What the service must answer: the LLM path's replies, or the keyword fallback's."""
    keyword = _run(Engine, partner, script)
    if llm_factory is None:
        return keyword
    llm = _run(llm_factory, partner, script)
    pairs = zip(llm.replies, keyword.replies, strict=True)
    merged = [[*a, b[0]] if b[0] != a[0] else a for a, b in pairs]
    if llm.final != keyword.final:
        raise RuntimeError(f"LLM and keyword paths disagree on final progress: {llm.final}")
    return Expected(merged, llm.final)


def expected_by_variant(
    partners: list[Partner],
    script_of: Callable[[int], list[Step]],
    llm_factory: EngineFactory | None,
) -> dict[int, Expected]:
    """One reference run per script variant in use (partners of a variant share it)."""
    first_of_variant: dict[int, Partner] = {}
    for partner in partners:
        first_of_variant.setdefault(partner.variant, partner)
    return {
        variant: expected_for(partner, script_of(variant), llm_factory)
        for variant, partner in first_of_variant.items()
    }
