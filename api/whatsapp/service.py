"""The WhatsApp background service: inbox workers, outbox workers and a recovery sweep."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from agent.settings import Settings
from api.logging_setup import mask_phone
from api.whatsapp.due_queue import DueQueue
from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.outbox import GiveUpHook, OutboxDeliverer, RetryPolicy
from api.whatsapp.processor import InboundProcessor, MessageHandler
from api.whatsapp.rate_limit import RateLimit
from api.whatsapp.reply_parts import InteractiveParts
from api.whatsapp.sender import Sender
from store.base import StoreUnavailable
from store.content_templates import TemplateRegistry
from store.messaging import MessagingStore

log = logging.getLogger("genie.whatsapp")
# An idle worker sleeps until a phone is queued or the queue is closed (stop() closes every
# queue, which wakes them all), so this is only a safety net. It was 0.2 s: 40 idle workers
# (the model lane's among them) then woke 200 times a second, each wake-up taking the GIL from
# a busy worker, which cost an idle service 4x its CPU (12 instead of 3 ms per second).
_IDLE_WAIT_S = 5.0


class WhatsAppService:
    """Bounded thread pools that process inbound messages and deliver replies, per phone."""

    def __init__(
        self,
        messaging: MessagingStore,
        handler: MessageHandler,
        sender: Sender,
        *,
        workers: int = 4,
        sender_workers: int = 4,
        model_workers: int = 32,
        lease_s: float = 15.0,
        sweep_interval_s: float = 5.0,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        on_give_up: GiveUpHook | None = None,
        interactive: InteractiveParts | None = None,
    ) -> None:
        self.messaging = messaging
        self._stopping = threading.Event()
        self._inbox: DueQueue = DueQueue()
        self._outbox: DueQueue = DueQueue()
        self._model: DueQueue = DueQueue()  # phones whose next turn needs the LLM
        # Model-lane workers wait on the LLM, not the CPU: one per allowed model call.
        needs_model = getattr(handler, "interpreter", None) is not None
        self._counts = (workers, sender_workers, model_workers if needs_model else 0)
        self._sweep_interval_s = sweep_interval_s
        self._threads: list[threading.Thread] = []
        self.keeper = LeaseKeeper(messaging, lease_s)
        self.processor = InboundProcessor(
            messaging, handler, self.notify_outbox, schedule_inbound=self._inbox.put,
            to_model_lane=self._model.put,
            rate_limit=rate_limit or RateLimit(),
            lease_s=lease_s, stopping=self._stopping, keeper=self.keeper,
            interactive=interactive,
        )  # fmt: skip
        self.deliverer = OutboxDeliverer(
            messaging, sender, self.notify_outbox, policy=retry or RetryPolicy(),
            lease_s=lease_s, stopping=self._stopping, keeper=self.keeper, on_give_up=on_give_up,
        )  # fmt: skip

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        messaging: MessagingStore,
        handler: MessageHandler,
        sender: Sender,
        on_give_up: GiveUpHook | None = None,
        templates: TemplateRegistry | None = None,
    ) -> WhatsAppService:
        """A service configured by the WhatsApp settings block."""
        return cls(
            messaging,
            handler,
            sender,
            workers=settings.whatsapp_workers,
            sender_workers=settings.whatsapp_sender_workers,
            model_workers=settings.llm_concurrency,
            lease_s=settings.whatsapp_lease_s,
            sweep_interval_s=settings.whatsapp_sweep_interval_s,
            retry=RetryPolicy(
                settings.outbox_max_attempts,
                settings.outbox_backoff_base_s,
                settings.outbox_backoff_max_s,
            ),
            rate_limit=RateLimit(settings.rate_limit_messages, settings.rate_limit_window_s),
            on_give_up=on_give_up,
            interactive=InteractiveParts(templates, settings.whatsapp_interactive),
        )

    def notify_inbound(self, phone: str) -> None:
        """A new message for the phone is in the inbox."""
        self._inbox.put(phone)

    def notify_outbox(self, phone: str, delay_s: float = 0.0) -> None:
        """The phone has outbox parts due now (or after `delay_s`)."""
        self._outbox.put(phone, delay_s)

    def sweep(self) -> None:
        """Queue every phone with unprocessed messages or unsent parts (crash recovery)."""
        try:
            for phone in self.messaging.phones_with_unprocessed():
                self.notify_inbound(phone)
            for phone in self.messaging.phones_with_pending_parts():
                self.notify_outbox(phone)
        except StoreUnavailable as exc:
            log.warning("recovery sweep skipped, store unavailable: %s", exc)

    def start(self) -> None:
        """Start the workers and the sweep; the first sweep picks up work left by a crash."""
        inbox_workers, outbox_workers, model_workers = self._counts
        specs: list[tuple[str, Callable[[], None]]] = [("wa-sweep", self._sweep_loop)]
        specs += [(f"wa-inbox-{i}", self._inbox_loop) for i in range(inbox_workers)]
        specs += [(f"wa-model-{i}", self._model_loop) for i in range(model_workers)]
        specs += [(f"wa-outbox-{i}", self._outbox_loop) for i in range(outbox_workers)]
        self.keeper.start()
        for name, target in specs:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info(
            "WhatsApp workers started: %d inbox, %d model lane, %d outbox",
            inbox_workers, model_workers, outbox_workers,
        )  # fmt: skip

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking work, let running steps finish (bounded), and join the threads."""
        self._stopping.set()
        self._inbox.close()
        self._model.close()
        self._outbox.close()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("WhatsApp workers still busy at shutdown: %s", ", ".join(alive))
        self._threads.clear()
        self.keeper.stop()

    def _sweep_loop(self) -> None:
        self.sweep()
        while not self._stopping.wait(self._sweep_interval_s):
            self.sweep()

    def _inbox_loop(self) -> None:
        self._work(self._inbox, lambda phone: self.processor.process_phone(phone, fast_lane=True))

    def _model_loop(self) -> None:
        self._work(self._model, self.processor.process_phone)

    def _outbox_loop(self) -> None:
        self._work(self._outbox, self.deliverer.deliver_phone)

    def _work(self, queue: DueQueue, handle: Callable[[str], None]) -> None:
        while not self._stopping.is_set():
            phone = queue.get(_IDLE_WAIT_S)
            if phone is None:
                continue
            try:
                handle(phone)
            except StoreUnavailable as exc:
                # The sweep queues the phone again once the database is back.
                log.warning("store unavailable for %s: %s", mask_phone(phone), exc)
            except Exception:
                log.exception("WhatsApp worker failed for %s", mask_phone(phone))
