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
    partner: Partner,
    script: list[Step],
    llm_factory: EngineFactory | None,
    fallback_factory: EngineFactory | None = None,
) -> Expected:
    """What the service must answer: the LLM path's replies, or the keyword fallback's.

    `fallback_factory` builds the service's engine with every chat call failing: its fallback
    still ranks passages with the embeddings (which an LLM outage may leave working), so its
    answers to questions can differ from an engine that has no model configured at all.
    """
    keyword = _run(Engine, partner, script)
    if llm_factory is None:
        return keyword
    runs = [_run(llm_factory, partner, script), keyword]
    if fallback_factory is not None:
        runs.append(_run(fallback_factory, partner, script))
    for run in runs[1:]:
        if run.final != runs[0].final:
            raise RuntimeError(f"LLM and keyword paths disagree on final progress: {run.final}")
    merged = []
    for answers in zip(*(run.replies for run in runs), strict=True):
        alternatives: list[list[str]] = []
        for answer in answers:
            if answer[0] not in alternatives:
                alternatives.append(answer[0])
        merged.append(alternatives)
    return Expected(merged, runs[0].final)


def expected_by_variant(
    partners: list[Partner],
    script_of: Callable[[int], list[Step]],
    llm_factory: EngineFactory | None,
    fallback_factory: EngineFactory | None = None,
) -> dict[int, Expected]:
    """One reference run per script variant in use (partners of a variant share it)."""
    first_of_variant: dict[int, Partner] = {}
    for partner in partners:
        first_of_variant.setdefault(partner.variant, partner)
    return {
        variant: expected_for(partner, script_of(variant), llm_factory, fallback_factory)
        for variant, partner in first_of_variant.items()
    }
