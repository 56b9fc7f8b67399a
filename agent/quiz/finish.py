"""The end of the training: the certificate (PDF, link, email) and the satisfaction question."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agent.certificates import links
from agent.certificates.issue import issue, valid_certificate
from agent.certificates.publish import needs_publishing, publish_soon
from agent.messages import Reply
from agent.quiz.records import pending_answers
from prompts import message
from store.models import Progress, ProgressUpdate, TrainingSession
from store.quiz_factory import quiz_store_for
from store.quiz_store import Certificate

if TYPE_CHECKING:
    from agent.training import ActionResult, Trainer

log = logging.getLogger("genie.quiz")
FEEDBACK_RATING = "feedback_rating"
FEEDBACK_COMMENT = "feedback_comment"


def certificate_reply(trainer: Trainer, certificate: Certificate) -> Reply:
    """The message that hands the partner their certificate (as media when it has a URL)."""
    config = trainer.quiz_config
    url = links.pdf_url(config.public_base_url, certificate.code)
    path = links.pdf_path(config.certificate_dir, certificate.code)
    where = url or (str(path.resolve()) if path else None)
    verify = links.verify_url(config.public_base_url, certificate.code)
    if where is None:
        text = message("certificate_ready_code", code=certificate.code, verify=verify)
    else:
        text = message("certificate_ready", link=where, verify=verify)
    return Reply(text=text, media_url=url)


def finish_training(
    trainer: Trainer,
    phone: str,
    progress: Progress,
    sessions: list[TrainingSession],
    replies: list[Reply],
) -> ActionResult:
    """After the completion message: the certificate, then the satisfaction question once."""
    from agent.training import ActionResult

    quiz_store = quiz_store_for(trainer.store)
    certificate = valid_certificate(quiz_store, phone)
    if certificate is None:
        config = trainer.quiz_config
        pending = pending_answers(trainer.store)
        publish = needs_publishing(config)  # else nothing renders until the PDF is fetched
        certificate = issue(
            quiz_store, progress, sessions, config.programme, pending=pending, publish=publish
        )
        if publish:
            publish_soon(quiz_store, config)
    replies = [*replies, certificate_reply(trainer, certificate)]
    if not quiz_store.feedback(phone):
        progress = trainer.store.update_progress(phone, ProgressUpdate(pending=FEEDBACK_RATING))
        replies.append(Reply(text=message("feedback_rating")))
    return ActionResult(replies, progress)
