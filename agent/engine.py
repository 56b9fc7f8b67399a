"""The conversation engine: one `handle_message(inbound) -> replies` entry point."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from agent import languages
from agent.clock import Clock, SystemClock
from agent.dense import DenseRanker
from agent.dispatch import dispatch
from agent.inbound_media import MediaReader
from agent.intent_rules import IntentClassifier
from agent.intents import Intent
from agent.interactive import chat_options
from agent.knowledge import KnowledgeCache
from agent.media_turn import MediaTurn, read_media
from agent.messages import Inbound, Reply
from agent.quiz.step import is_exact_answer
from agent.steps import STEPS
from agent.training import Trainer
from agent.turn_steps import StepInput, settle_before_classification
from agent.turn_unit import TurnUnit
from agent.turns import Interpreter, InterpreterFailed, TurnResult
from prompts import REFERENCE_LANGUAGE, message, use_language
from store.base import StoreUnavailable, TrainingStore
from store.models import ChatEntry, ChatOptions, Progress, ProgressUpdate, Who
from store.turns import TurnConflict, TurnWrite

log = logging.getLogger("genie.engine")
MAX_INBOUND_CHARS = 2000
MAX_TURN_ATTEMPTS = 8  # concurrent turns of one partner (a bypass of the lease) retry this often
CONFLICT_BACKOFF_S = 0.002
# Writes a worked-out turn as one unit; False when its key was committed before.
TurnCommit = Callable[[TurnWrite, TurnResult], bool]


class Engine:
    """Understands each partner message and answers it, keeping training state in the store."""

    def __init__(
        self,
        store: TrainingStore,
        *,
        support_contact: str = "your partner manager",
        interpreter: Interpreter | None = None,
        media_reader: MediaReader | None = None,
        dense: DenseRanker | None = None,
        clock: Clock | None = None,
        default_language: str = REFERENCE_LANGUAGE,
    ) -> None:
        self.store = store
        self.default_language = default_language
        self.clock: Clock = clock or SystemClock()
        self.knowledge = KnowledgeCache(store, dense)
        self.trainer = Trainer(store, self.knowledge, support_contact)
        self.classifier = IntentClassifier()
        self.interpreter = interpreter
        self.media_reader = media_reader
        self.steps = list(STEPS)
        # The progress the lane choice (needs_llm) read, per worker thread, for the turn it
        # precedes: one store read and one parse less per message.
        self._lane_read = threading.local()

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Answer one inbound message; never raises for bad input or a database outage."""
        return self.handle(inbound).replies

    def handle(self, inbound: Inbound) -> TurnResult:
        """Like handle_message, with how the turn was understood and what it cost."""
        # Until the partner's record is read, write in the language of the message's script.
        guess = languages.from_script(inbound.text) or self.default_language
        with use_language(guess, self.default_language):
            try:
                return self.run_turn(inbound, self._commit_to_store)
            except StoreUnavailable as exc:
                # Nothing of the turn was written, so the partner can simply say it again.
                log.error("store unavailable, apologised to partner: %s", exc)
                reply = Reply(text=message("store_unavailable"))
                return TurnResult([reply], Intent.OTHER, "system")

    def language_for(self, phone: str, text: str) -> str:
        """The language of a notice sent outside a turn (an apology, a rate-limit notice):
        the partner's stored language, else their message's script, else the default."""
        try:
            progress = self.store.get_progress(phone)
        except Exception:  # the store is down or broken: the apology must still go out
            log.warning("could not read the partner's language; using the message's script")
            progress = None
        if progress is not None and progress.language:
            return progress.language
        return languages.from_script(text) or self.default_language

    def needs_llm(self, inbound: Inbound) -> bool:
        """True when the turn will (probably) call the model: it is not an exact command.

        Transports use it to keep exact commands out of the queue of model turns.
        """
        text = inbound.text.strip()
        if self.interpreter is None:
            return False
        if inbound.media_urls:
            return True  # a voice note is transcribed (a slow call) and may need the model too
        if not text or len(text) > MAX_INBOUND_CHARS:
            return False
        progress = self.store.get_progress(inbound.phone)
        if inbound.message_id:
            self._lane_read.entry = (inbound.phone, inbound.message_id, progress)
        if self.classifier.classify(text, progress).exact:
            return False
        # Quiz answers are mostly not commands, yet the quiz step grades most of them alone.
        with use_language(progress.language if progress else None, self.default_language):
            return not is_exact_answer(self.trainer, progress, text)

    def _commit_to_store(self, turn: TurnWrite, _result: TurnResult) -> bool:
        """The commit of a turn that arrived outside the WhatsApp inbox."""
        if turn.progress is None and not (turn.lines or turn.quiz_answers or turn.feedback):
            return True  # nothing to write (an empty or over-long message)
        if turn.progress is not None:
            return self.store.commit_turn(turn)
        try:
            return self.store.commit_turn(turn)
        except StoreUnavailable as exc:
            # Nothing changed but the transcript: answer anyway and lose only these lines.
            log.error("chat history not saved for this turn: %s", exc)
            return True

    def run_turn(self, inbound: Inbound, commit: TurnCommit) -> TurnResult:
        """Work out the turn, then `commit` it as one unit; raises StoreUnavailable.

        A commit that finds the progress changed since the turn read it (TurnConflict: a
        concurrent turn for the same partner) writes nothing; the turn is worked out again
        from the new state, a bounded number of times.
        """
        key = inbound.message_id or f"turn:{uuid.uuid4().hex}"
        # Read (transcribe) the media once, not again on a retry.
        media = read_media(self.media_reader, inbound) if inbound.media_urls else None
        for attempt in range(MAX_TURN_ATTEMPTS):
            done_before = self._replayed(inbound)
            if done_before is not None:
                return done_before
            unit = TurnUnit(self.store, inbound.phone)
            if attempt == 0:
                self._start_from_lane_read(unit, inbound)
            result = self._work_out(inbound, unit, media)
            try:
                if commit(unit.turn(key), result):
                    return result
            except TurnConflict as exc:
                log.info("turn retried (attempt %d): %s", attempt + 1, exc)
                time.sleep(random.uniform(0, CONFLICT_BACKOFF_S * 2**attempt))
                continue
            # Committed by an earlier attempt (a redelivery racing this one): its replies stand.
            return self._replayed(inbound) or TurnResult([], result.intent, "replay")
        raise StoreUnavailable(f"progress kept changing under {MAX_TURN_ATTEMPTS} attempts")

    def _start_from_lane_read(self, unit: TurnUnit, inbound: Inbound) -> None:
        """Start the turn from the progress needs_llm just read for this message on this
        thread, if it did (used once: a retry after a conflict reads the store again)."""
        entry = getattr(self._lane_read, "entry", None)
        self._lane_read.entry = None
        if entry is not None and entry[:2] == (inbound.phone, inbound.message_id):
            unit.start_from(entry[2])

    def _work_out(self, inbound: Inbound, unit: TurnUnit, media: MediaTurn | None) -> TurnResult:
        """The turn's replies, with its progress change and chat lines collected in `unit`."""
        text = media.text if media else inbound.text.strip()
        if not text and media:  # a file, or a voice note we could not hear: thank and keep it
            ack = TurnResult([Reply(text=media.reply)], Intent.OTHER, source="media")
            self._record(unit, inbound, media.said(), ack, None)
            return ack
        if not text:
            return TurnResult([Reply(text=message("empty_message"))], Intent.OTHER, "system")
        if len(text) > MAX_INBOUND_CHARS:
            limit = MAX_INBOUND_CHARS
            return TurnResult(
                [Reply(text=message("too_long", limit=limit))], Intent.OTHER, "system"
            )
        trainer = Trainer(unit, self.knowledge, self.trainer.support)
        trainer.quiz_config = self.trainer.quiz_config  # the configured pass mark, certificates
        named = self._progress_with_name(unit, inbound)
        progress = self._with_language(unit, named, text, inbound.phone)
        before = progress.current_section if progress else None
        language = languages.language_of(progress, self.default_language)
        with use_language(language, self.default_language):
            result = self._understand_and_act(
                text, inbound.phone, progress, trainer, inbound.payload
            )
        if media and media.echo:
            result.replies.insert(0, Reply(text=media.echo))
        self._record(unit, inbound, media.said() if media else text, result, before)
        return result

    def _replayed(self, inbound: Inbound) -> TurnResult | None:
        """The recorded replies when this message was already handled (a redelivery after a
        crash), so its turn is not applied twice; None for a new message."""
        if not inbound.message_id:
            return None
        lines = self.store.turn_lines(inbound.phone, inbound.message_id)
        replies = [Reply(text=line.text) for line in lines if line.who == "genie"]
        if not replies:
            return None
        log.warning(
            "message %s was already handled: sending its recorded replies", inbound.message_id
        )
        known = {i.value for i in Intent}
        recorded = lines[0].intent
        intent = Intent(recorded) if recorded in known else Intent.OTHER
        return TurnResult(replies, intent, "replay", lines[-1].session)

    def _progress_with_name(self, unit: TurnUnit, inbound: Inbound) -> Progress | None:
        """The partner's progress, with their name from the leads or WhatsApp profile saved."""
        progress = unit.get_progress(inbound.phone)
        if progress and progress.name:
            return progress
        name = self.store.lead_name(inbound.phone) or inbound.profile_name
        if name:
            return unit.update_progress(inbound.phone, ProgressUpdate(name=name.strip()))
        return progress

    def _with_language(
        self, unit: TurnUnit, progress: Progress | None, text: str, phone: str
    ) -> Progress:
        """The progress with a language: a partner without one gets their first message's."""
        if progress is not None and progress.language:
            return progress
        offered = languages.available(self.knowledge.sessions(), self.default_language)
        first = languages.first_language(text, offered, self.default_language)
        return unit.update_progress(phone, ProgressUpdate(language=first))

    def _understand_and_act(
        self,
        text: str,
        phone: str,
        progress: Progress | None,
        trainer: Trainer,
        payload: str | None = None,
    ) -> TurnResult:
        step = StepInput(
            text,
            phone,
            progress,
            trainer,
            payload,
            now=self.clock.now(),
            llm=self.interpreter is not None,
        )
        settled = settle_before_classification(step, self.steps)
        if settled is not None:
            return settled
        guess = self.classifier.classify(text, progress)
        if self.interpreter is not None and not guess.exact:
            try:
                return self.interpreter.interpret(text, phone, progress, trainer)
            except InterpreterFailed as exc:
                log.warning("LLM fallback to keywords: %s", exc.reason)
                # A step that left the message to the LLM (e.g. a quiz answer) decides it now.
                deferred = settle_before_classification(replace(step, llm=False), self.steps)
                result = deferred or dispatch(trainer, guess, text, phone, progress)
                result.fallback_reason, result.llm_calls = exc.reason, exc.llm_calls
                return result
        return dispatch(trainer, guess, text, phone, progress)

    def _record(
        self, unit: TurnUnit, inbound: Inbound, text: str, result: TurnResult, before: int | None
    ) -> None:
        """Save the partner's message (under the session they wrote from) and the replies."""
        source = "fallback" if result.fallback_reason else result.source

        def line(
            who: Who,
            said: str,
            time: datetime | None = None,
            session: int | None = None,
            options: ChatOptions | None = None,
        ) -> ChatEntry:
            return ChatEntry(
                phone=inbound.phone, who=who, text=said, time=time or self.clock.now(),
                intent=result.intent.value, session=session or result.session, source=source,
                message_id=inbound.message_id, options=options,
            )  # fmt: skip

        unit.append_chat(line("partner", text, inbound.received_at, before))
        for reply in result.replies:
            unit.append_chat(line("genie", reply.text, options=chat_options(reply.interactive)))
