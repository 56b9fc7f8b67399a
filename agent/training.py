"""Training actions (enrol, navigate, complete, answer): the rules, enforced in one place.

The deterministic engine and the LLM tools both call these, so a partner gets the same
behaviour whichever path understood their message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent import render
from agent.extract import extract
from agent.knowledge import KnowledgeCache
from agent.messages import Reply
from agent.quiz import finish, flow
from agent.quiz.config import QuizConfig
from prompts import message
from store.base import TrainingStore
from store.models import Progress, ProgressUpdate, TrainingSession, utcnow
from store.quiz_model import quiz_of


@dataclass
class ActionResult:
    """What an action produced: replies and the partner's progress afterwards."""

    replies: list[Reply]
    progress: Progress | None = None
    passages: list[tuple[int, str]] = field(default_factory=list)


def has_started(progress: Progress | None) -> bool:
    """True once a partner began training; legacy records only have a current section."""
    return progress is not None and (
        progress.training_started or progress.current_section is not None
    )


def _texts(*texts: str) -> list[Reply]:
    return [Reply(text=t) for t in texts]


class Trainer:
    """Applies training actions for one partner against the store."""

    def __init__(self, store: TrainingStore, knowledge: KnowledgeCache, support: str) -> None:
        self.store = store
        self.knowledge = knowledge
        self.support = support
        self.quiz_config = QuizConfig()  # build_engine sets the configured one

    # -- helpers --
    def _state(self, phone: str) -> tuple[Progress, list[TrainingSession]]:
        progress = self.store.get_progress(phone) or Progress(phone=phone)
        return progress, self.knowledge.sessions()

    def _numbers(self, sessions: list[TrainingSession]) -> list[int]:
        return [s.s_no for s in sessions]

    def _current_index(self, progress: Progress, sessions: list[TrainingSession]) -> int:
        numbers = self._numbers(sessions)
        cur = progress.current_section
        return numbers.index(cur) if cur in numbers else 0

    def _kb_empty(self, progress: Progress) -> ActionResult:
        if progress.in_training_mode:
            progress = self.store.update_progress(
                progress.phone, ProgressUpdate(in_training_mode=False)
            )
        text = message("kb_empty", name=render.display_name(progress.name), support=self.support)
        return ActionResult(_texts(text), progress)

    def _show(
        self,
        phone: str,
        session: TrainingSession,
        change: ProgressUpdate | None = None,
        intro: Callable[[Progress], str] | None = None,
    ) -> ActionResult:
        """Make `session` current (with `change` in the same atomic update) and deliver it,
        after `intro`, a text written from the progress as it is afterwards."""
        fields = change.model_dump(exclude_unset=True) if change else {}
        update = ProgressUpdate(**fields, current_section=session.s_no, in_training_mode=True)
        progress = self.store.update_progress(phone, update)
        before = _texts(intro(progress)) if intro else []
        return ActionResult(before + render.session_replies(session, progress.name), progress)

    # -- actions --
    def enroll(self, phone: str) -> ActionResult:
        """Start training (or welcome back a partner who already started)."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        if has_started(progress):
            return self.resume(phone)
        return self._show(
            phone,
            sessions[0],
            ProgressUpdate(training_started=True, started_at=utcnow()),
            lambda after: message(
                "welcome", name=render.display_name(after.name), total=len(sessions)
            ),
        )

    def all_done(self, phone: str) -> bool:
        """True when the partner has completed every current session."""
        progress, sessions = self._state(phone)
        return bool(sessions) and set(self._numbers(sessions)) <= set(progress.completed_sections)

    def confirm_restart(self, phone: str) -> ActionResult:
        """Ask before wiping completed sessions; the answer is awaited (agent/confirmations.py)."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        progress = self.store.update_progress(phone, ProgressUpdate(pending="confirm_restart"))
        values = render.counts(progress, sessions)
        return ActionResult(_texts(message("restart_confirm", **values)), progress)

    def keep_progress(self, phone: str) -> ActionResult:
        """The partner said no to restarting: nothing changes but the dropped question."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        progress = self.store.update_progress(phone, ProgressUpdate(pending=None))
        values = render.counts(progress, sessions)
        return ActionResult(_texts(message("restart_kept", **values)), progress)

    def resume(self, phone: str) -> ActionResult:
        """Come back to training at the current session."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        if not has_started(progress):
            return self.enroll(phone)
        # A legacy record only has a current section: adopt it without losing progress.
        adopt = None if progress.training_started else ProgressUpdate(training_started=True)
        if set(self._numbers(sessions)) <= set(progress.completed_sections):
            values = render.counts(progress, sessions)
            return ActionResult(_texts(message("already_completed", **values)), progress)
        session = sessions[self._current_index(progress, sessions)]
        back = message("welcome_back", **render.counts(progress, sessions))
        return self._show(phone, session, adopt, lambda _: back)

    def next(self, phone: str) -> ActionResult:
        """Move to the next session; on the last one, offer to complete."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        i = self._current_index(progress, sessions)
        if i + 1 < len(sessions):
            return self._show(phone, sessions[i + 1])
        still_open = [n for n in self._numbers(sessions) if n not in progress.completed_sections]
        hint = message("remaining_open", open=", ".join(map(str, still_open))) if still_open else ""
        values = render.counts(progress, sessions)
        return ActionResult(
            _texts(message("next_on_last", remaining_hint=hint, **values)), progress
        )

    def previous(self, phone: str) -> ActionResult:
        """Move to the previous session; on the first one, say so."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        i = self._current_index(progress, sessions)
        if i == 0:
            values = render.counts(progress, sessions)
            return ActionResult(_texts(message("previous_on_first", **values)), progress)
        return self._show(phone, sessions[i - 1])

    def jump(self, phone: str, s_no: int) -> ActionResult:
        """Go to session `s_no`; an unknown number shows the valid range and the menu."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        target = next((s for s in sessions if s.s_no == s_no), None)
        if target is None:
            if not progress.training_started:
                progress = self.store.update_progress(phone, ProgressUpdate())
            values = render.counts(progress, sessions)
            unknown = message("unknown_session", requested=s_no, **values)
            return ActionResult(_texts(unknown, render.menu_text(progress, sessions)), progress)
        return self._show(phone, target)

    def complete(self, phone: str, quiz_passed: bool = False) -> ActionResult:
        """Mark the current session complete, then go on to the next open session.

        A session with a quiz starts (or continues) its quiz instead; the quiz calls back
        with `quiz_passed` once the partner reached the pass mark.
        """
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        numbers = self._numbers(sessions)
        i = self._current_index(progress, sessions)
        current = numbers[i]
        quiz = quiz_of(sessions[i])
        if quiz is not None and not quiz_passed and current not in progress.completed_sections:
            return flow.start(self, phone, sessions[i], quiz)
        key = "already_complete" if current in progress.completed_sections else "marked_complete"
        done = set(progress.completed_sections) | {current}
        if set(numbers) <= done:
            progress = self.store.update_progress(
                phone,
                ProgressUpdate(
                    add_completed=[current],
                    in_training_mode=False,
                    completed_at=progress.completed_at or utcnow(),
                ),
            )
            finished = _texts(render.completion_text(progress, sessions))
            return finish.finish_training(self, phone, progress, sessions, finished)
        later = numbers[i + 1 :] + numbers[:i]
        upcoming = next(n for n in later if n not in done)
        return self._show(
            phone,
            sessions[numbers.index(upcoming)],
            ProgressUpdate(add_completed=[current]),
            lambda after: message(
                key, s_no=current, **{**render.counts(after, sessions), "current": current}
            ),
        )

    def restart(self, phone: str) -> ActionResult:
        """Reset progress and start again from the first session."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        reset = ProgressUpdate(
            reset_completed=True,
            clear_completed_at=True,
            training_started=True,
            started_at=utcnow(),
            pending=None,
        )
        return self._show(
            phone,
            sessions[0],
            reset,
            lambda after: message("restarted", **render.counts(after, sessions)),
        )

    def exit(self, phone: str) -> ActionResult:
        """Pause training, keeping all progress, with a summary."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        progress = self.store.update_progress(phone, ProgressUpdate(in_training_mode=False))
        return ActionResult(_texts(render.exit_text(progress, sessions)), progress)

    def menu(self, phone: str) -> ActionResult:
        """The menu: progress, current session and commands."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        return ActionResult([render.menu_reply(progress, sessions)], progress)

    def progress(self, phone: str) -> ActionResult:
        """How far the partner is."""
        progress, sessions = self._state(phone)
        if not sessions:
            return self._kb_empty(progress)
        if not has_started(progress):
            name = render.display_name(progress.name)
            return ActionResult(_texts(message("progress_not_started", name=name)), progress)
        return ActionResult(_texts(render.progress_text(progress, sessions)), progress)

    def answer_before_enrolment(self, phone: str, question: str) -> ActionResult:
        """Answer a question from someone who has not started, with an invitation to start."""
        answered = self.answer(phone, question)
        name = render.display_name(answered.progress.name if answered.progress else None)
        total = len(self.knowledge.sessions())
        invite = Reply(text=message("enrol_invitation", name=name, total=total))
        return ActionResult([*answered.replies, invite], answered.progress, answered.passages)

    def answer(self, phone: str, question: str) -> ActionResult:
        """Answer from the training content (current session first) with the sentences that
        hold the answer, or say it isn't covered. Works in any state: it never moves anyone."""
        progress, sessions = self._state(phone)
        index = self.knowledge.index(sessions)
        # Only a partner reading a session gets it preferred; paused or finished, none is.
        current = progress.current_section if progress.in_training_mode else None
        finding = index.find(question, current, k=3)
        parts = extract(index, finding)
        if not parts:
            name = render.display_name(progress.name)
            text = message("answer_not_covered", name=name, support=self.support)
            nearest = finding.nearest()
            if nearest is not None:
                hint = message("answer_nearest", s_no=nearest.s_no, heading=nearest.heading)
                text = f"{text}\n\n{hint}"
            return ActionResult(_texts(text), progress)
        text = "\n\n".join(
            message("answer", passage=p.text, s_no=p.s_no, heading=p.heading) for p in parts
        )
        return ActionResult(_texts(text), progress, [(p.s_no, p.text) for p in finding.ranked])
