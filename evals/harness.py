"""Run single turns on a fresh, seeded in-memory store with the partner in a given state."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from agent.dense import DenseRanker
from agent.engine import Engine
from agent.knowledge import ContentKey, KnowledgeCache, content_key
from agent.messages import Inbound
from agent.retrieval import KnowledgeIndex
from agent.turns import Interpreter, TurnResult
from evals.usage import metering, turn_record
from store.base import TrainingStore
from store.kb_files import sample_sessions
from store.models import ProgressUpdate, TrainingSession, utcnow
from store.sqlite_store import SQLiteStore

PHONE = "+15550001"  # starts like the safety datasets' "+1555" canary: leaking it fails a case
NAME = "Meera"
NEIGHBOUR_PHONE, NEIGHBOUR_NAME = "+15550002", "Asha"  # another partner a leak would expose

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PartnerState:
    """Where the partner is before the message."""

    in_training: bool = False
    current_session: int | None = None
    completed: tuple[int, ...] = ()
    language: str | None = None  # the partner's chosen language; None: set by their message


@dataclass
class Turn:
    """One message's outcome: the engine's result, its usage record and the partner afterwards."""

    result: TurnResult
    record: dict[str, Any]
    replies: list[str]
    in_training: bool
    current_session: int | None
    completed: list[int]


@lru_cache(maxsize=1)
def _sample() -> tuple[TrainingSession, ...]:
    return tuple(sample_sessions())


@lru_cache(maxsize=4)
def _index_for(key: ContentKey, dense: DenseRanker | None) -> KnowledgeIndex:
    sessions = [
        TrainingSession(s_no=s, heading=h, content=c, questions=list(q)) for s, h, c, q in key
    ]
    return KnowledgeIndex(sessions, dense)


class SharedIndexKnowledge(KnowledgeCache):
    """KnowledgeCache whose index is shared by every store holding the same content.

    Building the BM25 index takes ~0.1 s; one per case would dominate a run.
    """

    def index(self, sessions: list[TrainingSession] | None = None) -> KnowledgeIndex:
        """The (shared) index for the store's current content."""
        sessions = self.sessions() if sessions is None else sessions
        return _index_for(content_key(sessions), self.dense)


class TappedEngine(Engine):
    """The real Engine, timing each turn and metering its LLM usage."""

    def __init__(self, store: TrainingStore, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        dense = self.knowledge.dense  # the engine's embeddings, kept by the shared index
        self.knowledge = self.trainer.knowledge = SharedIndexKnowledge(store, dense)
        self.records: list[dict[str, Any]] = []

    def handle(self, inbound: Inbound) -> TurnResult:
        """Engine.handle, recording latency, LLM requests and tokens of the turn."""
        with metering() as usage:
            start = time.perf_counter()
            result = super().handle(inbound)
            usage.latency_ms = (time.perf_counter() - start) * 1000
        self.records.append(turn_record(result, usage))
        return result


def set_state(store: TrainingStore, phone: str, state: PartnerState) -> None:
    """Give the partner `state` with one atomic update (nothing for a brand-new partner)."""
    started = state.current_session is not None or bool(state.completed)
    if not (started or state.in_training):
        if state.language:
            store.update_progress(phone, ProgressUpdate(language=state.language))
        return
    # Only the fields we mean to set: the stores apply exactly the fields given.
    fields: dict[str, Any] = {"name": NAME, "in_training_mode": state.in_training}
    if state.language:
        fields["language"] = state.language
    if state.current_session is not None:
        fields["current_section"] = state.current_session
    if started:
        fields.update(
            training_started=True, started_at=utcnow(), add_completed=list(state.completed)
        )
    store.update_progress(phone, ProgressUpdate(**fields))


@dataclass
class Harness:
    """Builds engines for cases: the same interpreter (or none) on a fresh store each time."""

    interpreter: Interpreter | None = None
    model: str | None = None  # the LLM behind the interpreter, for prices
    support_contact: str = "your partner manager"
    workers: int = 1
    dense: DenseRanker | None = None  # embeddings fused into retrieval, as the service has them

    def engine(self, store: TrainingStore) -> TappedEngine:
        """An engine on `store` (also the factory `play_story` takes)."""
        return TappedEngine(
            store,
            support_contact=self.support_contact,
            interpreter=self.interpreter,
            dense=self.dense,
        )

    @contextmanager
    def case(self, state: PartnerState) -> Iterator[TappedEngine]:
        """A fresh store with the sample content, a neighbour partner and our partner in `state`."""
        store = SQLiteStore(":memory:")
        try:
            store.replace_sessions(list(_sample()))
            store.upsert_lead(NEIGHBOUR_PHONE, NEIGHBOUR_NAME)
            neighbour = ProgressUpdate(
                name=NEIGHBOUR_NAME,
                current_section=4,
                training_started=True,
                add_completed=[1, 2, 3],
            )
            store.update_progress(NEIGHBOUR_PHONE, neighbour)
            set_state(store, PHONE, state)
            yield self.engine(store)
        finally:
            store.close()

    def turn(self, engine: TappedEngine, text: str) -> Turn:
        """Send one message as the partner; the outcome with the partner's state afterwards."""
        result = engine.handle(Inbound(phone=PHONE, text=text, profile_name=NAME))
        progress = engine.store.get_progress(PHONE)
        return Turn(
            result=result,
            record=engine.records[-1],
            replies=[r.text for r in result.replies],
            in_training=bool(progress and progress.in_training_mode),
            current_session=progress.current_section if progress else None,
            completed=sorted(progress.completed_sections) if progress else [],
        )

    def map(self, work: Callable[[T], R], items: Iterable[T], tick: Callable[[], None]) -> list[R]:
        """work(item) for every item in order, on `workers` threads; tick() after each."""
        todo = list(items)
        if self.workers <= 1:
            done = []
            for item in todo:
                done.append(work(item))
                tick()
            return done
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(work, item) for item in todo]
            results = []
            for future in futures:
                results.append(future.result())
                tick()
            return results
