"""The conversation engine: one `handle_message(inbound) -> replies` entry point."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from agent import languages
from agent.clock import Clock, SystemClock
from agent.dense import DenseRanker
from agent.dispatch import dispatch
from agent.inbound_media import MediaReader
from agent.intent_rules import IntentClassifier
from agent.intents import Classification, Intent
from agent.knowledge import KnowledgeCache
from agent.media_turn import read_media
from agent.messages import Inbound, Reply
from agent.steps import STEPS
from agent.training import Trainer
from agent.turn_steps import StepInput, settle_before_classification
from agent.turns import Interpreter, InterpreterFailed, TurnResult
from prompts import REFERENCE_LANGUAGE, message, use_language
from store.base import StoreUnavailable, TrainingStore
from store.models import ChatEntry, Progress, ProgressUpdate, Who

log = logging.getLogger("genie.engine")
MAX_INBOUND_CHARS = 2000


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

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Answer one inbound message; never raises for bad input or a database outage."""
        return self.handle(inbound).replies

    def handle(self, inbound: Inbound) -> TurnResult:
        """Like handle_message, with how the turn was understood and what it cost."""
        # Until the partner's record is read, write in the language of the message's script.
        guess = languages.from_script(inbound.text) or self.default_language
        with use_language(guess, self.default_language):
            return self._handle(inbound)

    def _handle(self, inbound: Inbound) -> TurnResult:
        media = read_media(self.media_reader, inbound) if inbound.media_urls else None
        text = media.text if media else inbound.text.strip()
        if not text and media:  # a file, or a voice note we could not hear: thank and keep it
            ack = TurnResult([Reply(text=media.reply)], Intent.OTHER, source="media")
            self._record_or_log(inbound, media.said(), ack, None)
            return ack
        if not text:
            return TurnResult([Reply(text=message("empty_message"))], Intent.OTHER, "system")
        if len(text) > MAX_INBOUND_CHARS:
            limit = MAX_INBOUND_CHARS
            return TurnResult(
                [Reply(text=message("too_long", limit=limit))], Intent.OTHER, "system"
            )
        try:
            done_before = self._replayed(inbound)
            if done_before is not None:
                return done_before
            progress = self._with_language(self._progress_with_name(inbound), text, inbound.phone)
            language = languages.language_of(progress, self.default_language)
            with use_language(language, self.default_language):
                result = self._understand_and_act(text, inbound.phone, progress, inbound.payload)
        except StoreUnavailable as exc:
            log.error("store unavailable, apologised to partner: %s", exc)
            return TurnResult([Reply(text=message("store_unavailable"))], Intent.OTHER, "system")
        if media and media.echo:
            result.replies.insert(0, Reply(text=media.echo))
        before = progress.current_section if progress else None
        self._record_or_log(inbound, media.said() if media else text, result, before)
        return result

    def _record_or_log(
        self, inbound: Inbound, said: str, result: TurnResult, before: int | None
    ) -> None:
        try:
            self._record(inbound, said, result, before)
        except StoreUnavailable as exc:
            # The turn itself is done: an apology now would make the partner repeat it
            # (e.g. "done" twice), so send the real replies and lose only the transcript lines.
            log.error("chat history not saved for this turn: %s", exc)

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

    def _progress_with_name(self, inbound: Inbound) -> Progress | None:
        """The partner's progress, with their name from the leads or WhatsApp profile saved."""
        progress = self.store.get_progress(inbound.phone)
        if progress and progress.name:
            return progress
        name = self.store.lead_name(inbound.phone) or inbound.profile_name
        if name:
            return self.store.update_progress(inbound.phone, ProgressUpdate(name=name.strip()))
        return progress

    def _with_language(self, progress: Progress | None, text: str, phone: str) -> Progress:
        """The progress with a language: a partner without one gets their first message's."""
        if progress is not None and progress.language:
            return progress
        offered = languages.available(self.store.list_sessions(), self.default_language)
        first = languages.first_language(text, offered, self.default_language)
        return self.store.update_progress(phone, ProgressUpdate(language=first))

    def _understand_and_act(
        self, text: str, phone: str, progress: Progress | None, payload: str | None = None
    ) -> TurnResult:
        step = StepInput(
            text,
            phone,
            progress,
            self.trainer,
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
                return self.interpreter.interpret(text, phone, progress, self.trainer)
            except InterpreterFailed as exc:
                log.warning("LLM fallback to keywords: %s", exc.reason)
                # A step that left the message to the LLM (e.g. a quiz answer) decides it now.
                deferred = settle_before_classification(replace(step, llm=False), self.steps)
                result = deferred or self.dispatch(guess, text, phone, progress)
                result.fallback_reason, result.llm_calls = exc.reason, exc.llm_calls
                return result
        return self.dispatch(guess, text, phone, progress)

    def dispatch(
        self, guess: Classification, text: str, phone: str, progress: Progress | None
    ) -> TurnResult:
        """Carry out a classified intent with the deterministic rules (no LLM)."""
        return dispatch(self.trainer, guess, text, phone, progress)

    def _record(self, inbound: Inbound, text: str, result: TurnResult, before: int | None) -> None:
        """Save the partner's message (under the session they wrote from) and the replies."""
        source = "fallback" if result.fallback_reason else result.source

        def line(
            who: Who, said: str, time: datetime | None = None, session: int | None = None
        ) -> ChatEntry:
            return ChatEntry(
                phone=inbound.phone, who=who, text=said, time=time or self.clock.now(),
                intent=result.intent.value, session=session or result.session, source=source,
                message_id=inbound.message_id,
            )  # fmt: skip

        self.store.append_chat(line("partner", text, inbound.received_at, before))
        for reply in result.replies:
            self.store.append_chat(line("genie", reply.text))
