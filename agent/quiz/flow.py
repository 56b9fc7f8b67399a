"""The quiz rules: start a session's quiz, ask, grade, score, retry, pause and resume.

The turn step (keyword path), the LLM quiz tool and Trainer.complete all call these, so a
partner gets the same quiz whichever path understood them. Every answer is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.languages import name_of
from agent.messages import Reply
from agent.quiz.grading import Graded
from agent.quiz.options import with_options
from agent.quiz.parsed import parsed_quiz
from agent.quiz.records import record_answer
from agent.quiz.state import QuizState, state_of
from agent.translations import has_quiz_translation, localized
from prompts import current_language, default_language, message
from store.models import Progress, ProgressUpdate, TrainingSession
from store.quiz_model import Kind, Question, Quiz
from store.quiz_store import QuizAnswer

if TYPE_CHECKING:
    from agent.training import ActionResult, Trainer


def _letters(count: int) -> str:
    letters = [chr(ord("A") + i) for i in range(count)]
    return ", ".join(letters[:-1]) + f" {message('quiz_or')} " + letters[-1]


def question_text(quiz: Quiz, state: QuizState) -> str:
    """The question being asked, with its options and how to answer."""
    question = quiz.questions[state.current]
    values = {
        "n": state.pos + 1,
        "count": len(state.queue),
        "question": question.question,
    }
    if question.kind is Kind.CHOICE:
        options = "\n".join(f"{chr(ord('A') + i)}) {o}" for i, o in enumerate(question.options))
        letters = _letters(len(question.options))
        return message("quiz_question_choice", options=options, letters=letters, **values)
    return message(f"quiz_question_{question.kind.value}", **values)


def pass_mark(trainer: Trainer, quiz: Quiz) -> int:
    """The quiz's own pass mark, or the programme's."""
    return quiz.pass_mark if quiz.pass_mark is not None else trainer.quiz_config.pass_mark


def _save(trainer: Trainer, phone: str, state: QuizState | None) -> Progress:
    quiz = state.as_dict() if state else None
    return trainer.store.update_progress(phone, ProgressUpdate(quiz=quiz))


def _result(
    replies: list[str], progress: Progress, asking: tuple[Quiz, QuizState] | None = None
) -> ActionResult:
    """The texts as replies; when `asking`, the last one carries the question's options."""
    from agent.training import ActionResult

    result = ActionResult([Reply(text=t) for t in replies], progress)
    if asking is not None:
        result.replies[-1] = with_options(result.replies[-1], *asking)
    return result


def active_quiz(trainer: Trainer, progress: Progress | None) -> tuple[QuizState, Quiz] | None:
    """The partner's quiz in progress and its questions, or None."""
    state = state_of(progress)
    if state is None:
        return None
    session = trainer.store.get_session(state.s_no)
    if session is not None:
        session = localized(session, current_language(), default_language())
    quiz = parsed_quiz(session)
    return (state, quiz) if quiz is not None else None


def _untranslated_note(session: TrainingSession) -> list[str]:
    """One line saying the quiz comes in the default language, when it is not translated."""
    if has_quiz_translation(session, current_language(), default_language()):
        return []
    return [message("quiz_translation_missing", default=name_of(default_language()))]


def start(trainer: Trainer, phone: str, session: TrainingSession, quiz: Quiz) -> ActionResult:
    """Begin (or continue) the quiz of `session`, which the partner asked to complete."""
    progress = trainer.store.get_progress(phone) or Progress(phone=phone)
    state = state_of(progress)
    if state is not None and state.s_no == session.s_no:
        if state.phase == "locked":
            return locked(trainer, phone, state)
        if state.phase == "review":
            return retry(trainer, phone, state, quiz)
        state.paused = False
        progress = _save(trainer, phone, state)
        back = message("quiz_resume", s_no=session.s_no)
        texts = [*_untranslated_note(session), back, question_text(quiz, state)]
        return _result(texts, progress, (quiz, state))
    state = QuizState(s_no=session.s_no, queue=list(range(len(quiz.questions))))
    progress = _save(trainer, phone, state)
    intro = message(
        "quiz_intro",
        s_no=session.s_no,
        count=len(quiz.questions),
        pass_mark=pass_mark(trainer, quiz),
    )
    texts = [*_untranslated_note(session), intro, question_text(quiz, state)]
    return _result(texts, progress, (quiz, state))


def ask_again(trainer: Trainer, phone: str, state: QuizState, quiz: Quiz) -> ActionResult:
    """Unpause and repeat the current question (or the retry offer after a failed round)."""
    if state.phase == "review":
        return review_prompt(trainer, phone, state, quiz)
    if state.phase == "locked":
        return locked(trainer, phone, state)
    state.paused = False
    progress = _save(trainer, phone, state)
    texts = [message("quiz_resume", s_no=state.s_no), question_text(quiz, state)]
    return _result(texts, progress, (quiz, state))


def unclear(trainer: Trainer, phone: str, state: QuizState, quiz: Quiz) -> ActionResult:
    """The answer could not be told: say how to answer, and ask again (nothing is stored)."""
    question = quiz.questions[state.current]
    key = "quiz_unclear_true_false" if question.kind is Kind.TRUE_FALSE else "quiz_unclear_choice"
    progress = trainer.store.get_progress(phone) or Progress(phone=phone)
    return _result([message(key) + "\n\n" + question_text(quiz, state)], progress, (quiz, state))


def pause(trainer: Trainer, phone: str, state: QuizState) -> None:
    """Keep the quiz where it is while a command (menu, progress, exit ...) is carried out."""
    if not state.paused:
        state.paused = True
        _save(trainer, phone, state)


def drop(trainer: Trainer, phone: str) -> None:
    """Forget the quiz in progress (the partner restarted the training)."""
    trainer.store.update_progress(phone, ProgressUpdate(quiz=None))


def answer(
    trainer: Trainer, phone: str, state: QuizState, quiz: Quiz, graded: Graded
) -> ActionResult:
    """Store and mark one answer; then the next question or the round's score."""
    index = state.current
    question = quiz.questions[index]
    record_answer(
        trainer.store,
        QuizAnswer(
            phone=phone, s_no=state.s_no, q_no=index + 1, question=question.question,
            answer=graded.given, correct=graded.correct, attempt=state.attempt,
        )
    )  # fmt: skip
    texts = [_marking(question, graded.correct)]
    if graded.correct and index not in state.right:
        state.right.append(index)
    state.pos += 1
    state.paused = False
    if state.pos < len(state.queue):
        progress = _save(trainer, phone, state)
        return _result([*texts, question_text(quiz, state)], progress, (quiz, state))
    return _finish_round(trainer, phone, state, quiz, texts)


def _marking(question: Question, correct: bool) -> str:
    if question.kind is Kind.TRUE_FALSE:
        right = message("quiz_answer_true" if question.answer else "quiz_answer_false")
    else:
        right = question.answer_text()
    text = message("quiz_right") if correct else message("quiz_wrong", answer=right)
    if question.explanation:
        text += "\n" + message("quiz_explanation", explanation=question.explanation)
    return text


def score_of(state: QuizState, quiz: Quiz) -> int:
    """Percent of the quiz's questions answered correctly so far (over all rounds)."""
    return round(100 * len(set(state.right)) / len(quiz.questions))


def _finish_round(
    trainer: Trainer, phone: str, state: QuizState, quiz: Quiz, texts: list[str]
) -> ActionResult:
    score, right, count = score_of(state, quiz), len(set(state.right)), len(quiz.questions)
    mark = pass_mark(trainer, quiz)
    if score >= mark:
        _save(trainer, phone, None)
        passed = message("quiz_passed", right=right, count=count, score=score)
        done = trainer.complete(phone, quiz_passed=True)
        done.replies[:0] = [Reply(text=t) for t in [*texts, passed]]
        return done
    state.phase = "review"
    cap = trainer.quiz_config.max_attempts
    if cap is not None and state.attempt >= cap:
        state.phase = "locked"
    progress = _save(trainer, phone, state)
    scored = message("quiz_failed", right=right, count=count, score=score, pass_mark=mark)
    if state.phase == "locked":
        return _result([*texts, scored, _locked_text(trainer, state)], progress)
    return _result([*texts, scored, _review_text(state, quiz)], progress)


def _review_text(state: QuizState, quiz: Quiz) -> str:
    missed = len(quiz.questions) - len(set(state.right))
    return message("quiz_review", missed=missed, s_no=state.s_no)


def review_prompt(trainer: Trainer, phone: str, state: QuizState, quiz: Quiz) -> ActionResult:
    """Repeat the offer after a failed round: retry the missed questions or re-read."""
    progress = trainer.store.get_progress(phone) or Progress(phone=phone)
    return _result([_review_text(state, quiz)], progress)


def retry(trainer: Trainer, phone: str, state: QuizState, quiz: Quiz) -> ActionResult:
    """Start the next round with the questions still missed."""
    missed = [i for i in range(len(quiz.questions)) if i not in state.right]
    state = QuizState(s_no=state.s_no, attempt=state.attempt + 1, queue=missed, right=state.right)
    progress = _save(trainer, phone, state)
    intro = message("quiz_retry", attempt=state.attempt, count=len(missed))
    return _result([intro, question_text(quiz, state)], progress, (quiz, state))


def reread(trainer: Trainer, phone: str, state: QuizState) -> ActionResult:
    """Show the quiz's session again; "done" then carries on with the quiz."""
    pause(trainer, phone, state)
    shown = trainer.jump(phone, state.s_no)
    shown.replies.insert(0, Reply(text=message("quiz_reread", s_no=state.s_no)))
    return shown


def _locked_text(trainer: Trainer, state: QuizState) -> str:
    cap = trainer.quiz_config.max_attempts
    return message("quiz_locked", s_no=state.s_no, attempts=cap, support=trainer.support)


def locked(trainer: Trainer, phone: str, state: QuizState) -> ActionResult:
    """The quiz has no attempts left: say who can help."""
    progress = trainer.store.get_progress(phone) or Progress(phone=phone)
    return _result([_locked_text(trainer, state)], progress)
