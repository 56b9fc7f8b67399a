"""The conversation engine: one `handle_message(inbound) -> replies` entry point."""

from __future__ import annotations

import logging
from datetime import datetime

from agent.assistant import regular_reply
from agent.intents import Classification, Intent
from agent.keywords import KeywordClassifier, looks_like_question
from agent.knowledge import KnowledgeCache
from agent.messages import Inbound, Reply
from agent.training import ActionResult, Trainer, has_started
from agent.turns import Interpreter, InterpreterFailed, TurnResult
from prompts import message
from store.base import StoreUnavailable, TrainingStore
from store.models import ChatEntry, Progress, ProgressUpdate, Who, utcnow

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
    ) -> None:
        self.store = store
        self.knowledge = KnowledgeCache(store)
        self.trainer = Trainer(store, self.knowledge, support_contact)
        self.classifier = KeywordClassifier()
        self.interpreter = interpreter

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        """Answer one inbound message; never raises for bad input or a database outage."""
        return self.handle(inbound).replies

    def handle(self, inbound: Inbound) -> TurnResult:
        """Like handle_message, with how the turn was understood and what it cost."""
        text = inbound.text.strip()
        if not text:
            key = "media_only" if inbound.media_urls else "empty_message"
            return TurnResult([Reply(text=message(key))], Intent.OTHER, source="system")
        if len(text) > MAX_INBOUND_CHARS:
            limit = MAX_INBOUND_CHARS
            return TurnResult(
                [Reply(text=message("too_long", limit=limit))], Intent.OTHER, "system"
            )
        try:
            progress = self._progress_with_name(inbound)
            result = self._understand_and_act(text, inbound.phone, progress)
            self._record(inbound, text, result)
            return result
        except StoreUnavailable as exc:
            log.error("store unavailable, apologised to partner: %s", exc)
            return TurnResult([Reply(text=message("store_unavailable"))], Intent.OTHER, "system")

    def _progress_with_name(self, inbound: Inbound) -> Progress | None:
        """The partner's progress, with their name from the leads or WhatsApp profile saved."""
        progress = self.store.get_progress(inbound.phone)
        if progress and progress.name:
            return progress
        name = self.store.lead_name(inbound.phone) or inbound.profile_name
        if name:
            return self.store.update_progress(inbound.phone, ProgressUpdate(name=name.strip()))
        return progress

    def _understand_and_act(self, text: str, phone: str, progress: Progress | None) -> TurnResult:
        in_training = bool(progress and progress.in_training_mode)
        guess = self.classifier.classify(text, in_training)
        if self.interpreter is not None and not guess.exact:
            try:
                return self.interpreter.interpret(text, phone, progress, self.trainer)
            except InterpreterFailed as exc:
                log.warning("LLM fallback to keywords: %s", exc.reason)
                result = self.dispatch(guess, text, phone, progress)
                result.fallback_reason, result.llm_calls = exc.reason, exc.llm_calls
                return result
        return self.dispatch(guess, text, phone, progress)

    def dispatch(
        self, guess: Classification, text: str, phone: str, progress: Progress | None
    ) -> TurnResult:
        """Carry out a classified intent with the deterministic rules (no LLM)."""
        in_training = bool(progress and progress.in_training_mode)
        started = has_started(progress)
        intent = guess.intent
        t = self.trainer
        action: ActionResult | None = None
        if intent is Intent.ENROLL:
            action = t.enroll(phone)
        elif intent is Intent.RESUME or (intent is Intent.NEXT and started and not in_training):
            action = t.resume(phone)
        elif intent is Intent.PROGRESS:
            action = t.progress(phone)
        elif intent is Intent.RESTART:
            action = t.restart(phone) if started else t.enroll(phone)
        elif intent is Intent.JUMP and guess.session is not None and (in_training or started):
            action = t.jump(phone, guess.session)
        elif in_training and intent in _IN_TRAINING:
            action = _IN_TRAINING[intent](t, phone)
        elif in_training and intent is Intent.QUESTION:
            action = t.answer(phone, text)
            if not action.passages and not looks_like_question(text):
                action, intent = None, Intent.OTHER
        elif started and intent in (Intent.PREVIOUS, Intent.COMPLETE):
            current = progress.current_section if progress else None
            hint = message("not_in_training_hint", current=current)
            return TurnResult([Reply(text=hint)], intent, guess.source, current)
        if action is None:
            replies = regular_reply(text, progress, self._heading(progress))
            session = progress.current_section if progress else None
            return TurnResult(replies, intent, guess.source, session, guess.session)
        after = action.progress
        return TurnResult(
            action.replies,
            intent,
            guess.source,
            after.current_section if after else None,
            guess.session,
            passages=action.passages,
        )

    def _heading(self, progress: Progress | None) -> str | None:
        if not progress or progress.current_section is None:
            return None
        session = self.store.get_session(progress.current_section)
        return session.heading if session else None

    def _record(self, inbound: Inbound, text: str, result: TurnResult) -> None:
        """Save the partner's message and the replies in the chat history of the session."""
        source = "fallback" if result.fallback_reason else result.source

        def line(who: Who, said: str, time: datetime | None = None) -> ChatEntry:
            return ChatEntry(
                phone=inbound.phone, who=who, text=said, time=time or utcnow(),
                intent=result.intent.value, session=result.session, source=source,
            )  # fmt: skip

        self.store.append_chat(line("partner", text, inbound.received_at))
        for reply in result.replies:
            self.store.append_chat(line("genie", reply.text))


_IN_TRAINING = {
    Intent.NEXT: Trainer.next,
    Intent.PREVIOUS: Trainer.previous,
    Intent.COMPLETE: Trainer.complete,
    Intent.EXIT: Trainer.exit,
    Intent.MENU: Trainer.menu,
}
