"""The load: simulated partners, each sending its script one message after the previous reply."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from evals.bench.reference import Expected
from evals.bench.replies import ReplyBook
from evals.bench.script import Partner, Path_, Step
from evals.bench.webhook import Ack, WebhookClient, new_message_sid

MAX_RESENDS = 3  # a partner who gets the "technical problem" apology tries again, a few times


@dataclass
class Turn:
    """One scripted message of one partner: what was sent, when, and what came back."""

    partner: int
    step: int
    path: Path_
    sent_at: float
    start: int  # index of this turn's first reply in the partner's received list
    acks: list[Ack] = field(default_factory=list)
    e2e_s: float | None = None
    apologies: int = 0
    timed_out: bool = False
    refused: int = 0  # rounds of webhook attempts that all failed before one was accepted


@dataclass
class LoadSettings:
    """How the partners behave: pause between messages, patience, and the run's hard stop."""

    think_s: float
    turn_timeout_s: float
    deadline: float  # monotonic time after which no partner sends anything
    apology: str
    arrivals_s: float = 0.0  # partners start at random times within this window (0: 5 ms apart)
    random_think: bool = False  # pauses drawn around think_s instead of all equal
    seed: int = 7


class Pacing:
    """When partners start and how long they pause: fixed, or random like a real busy hour.

    Random pacing draws each start uniformly over the arrival window and each pause from an
    exponential distribution with the think time as its mean (capped at 5x), from a fixed seed,
    so runs are repeatable and partners do not move in lockstep.
    """

    def __init__(self, settings: LoadSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)

    def start_delay(self, index: int) -> float:
        """Seconds after the run's start at which partner `index` sends its first message."""
        if self.settings.arrivals_s > 0:
            return self._random.uniform(0, self.settings.arrivals_s)
        return index * 0.005

    def pause(self) -> float:
        """Seconds between a complete answer and the partner's next message."""
        mean = self.settings.think_s
        if not self.settings.random_think or mean <= 0:
            return mean
        return min(self._random.expovariate(1 / mean), 5 * mean)


def turn_complete(texts: list[str], alternatives: list[list[str]]) -> bool:
    """True when the replies so far are a whole expected answer, or can no longer become one."""
    if any(texts == alt for alt in alternatives):
        return True
    consistent = [a for a in alternatives if a[: len(texts)] == texts]
    if consistent:
        return len(texts) >= max(len(a) for a in consistent)
    return len(texts) >= min(len(a) for a in alternatives)


class PartnerDriver:
    """Runs partners concurrently against the webhook and records every turn."""

    def __init__(self, client: WebhookClient, book: ReplyBook, settings: LoadSettings) -> None:
        self.client, self.book, self.settings = client, book, settings
        self.pacing = Pacing(settings)
        self.turns: list[Turn] = []
        self.started = time.monotonic()

    async def run(self, partners: list[tuple[Partner, list[Step], Expected]]) -> None:
        """Play every partner's script; partners start apart (see Pacing), not in one burst."""
        self.started = time.monotonic()
        tasks = [
            asyncio.create_task(
                self._partner(p, script, expected, delay=self.pacing.start_delay(i))
            )
            for i, (p, script, expected) in enumerate(partners)
        ]
        await asyncio.gather(*tasks)

    async def _partner(
        self, partner: Partner, script: list[Step], expected: Expected, delay: float
    ) -> None:
        await asyncio.sleep(delay)
        for number, step in enumerate(script):
            if time.monotonic() >= self.settings.deadline:
                return
            turn = Turn(partner.index, number, step.path, time.monotonic(), 0)
            turn.start = self.book.count(partner.phone)
            self.turns.append(turn)
            await self._turn(partner, step, expected.replies[number], turn)
            pause = self.pacing.pause()
            if pause:
                await asyncio.sleep(pause)

    async def _turn(
        self, partner: Partner, step: Step, alternatives: list[list[str]], turn: Turn
    ) -> None:
        """Send the message and wait for its whole answer (resending after an apology)."""
        deadline = turn.sent_at + self.settings.turn_timeout_s
        while True:
            form = self.client.form(new_message_sid(), partner.phone, partner.name, step.text)
            if not await self._deliver(form, turn, deadline):
                turn.timed_out = True
                return
            retry = await self._await_replies(partner.phone, alternatives, turn, deadline)
            if not retry:
                return
            turn.apologies += 1
            if turn.apologies > MAX_RESENDS:
                return

    async def _deliver(self, form: dict[str, str], turn: Turn, deadline: float) -> bool:
        """Post until a process accepts the message (same MessageSid, so never twice).

        When every attempt of a round fails (processes down or restarting), the message is
        posted again, as a sender whose message has not gone through does, until the turn's
        deadline; the rounds that failed are counted (`Turn.refused`).
        """
        while True:
            ack = await self.client.post(form)
            turn.acks.append(ack)
            if ack.ok:
                return True
            if ack.status is not None and ack.status < 500 and ack.status != 429:
                return False  # rejected for good (a 4xx): sending it again changes nothing
            turn.refused += 1
            if time.monotonic() >= deadline:
                return False

    async def _await_replies(
        self, phone: str, alternatives: list[list[str]], turn: Turn, deadline: float
    ) -> bool:
        """Wait for the turn's replies; True when the last one is an apology (resend)."""
        apology = self.settings.apology
        while True:
            got = self.book.received(phone, turn.start)
            texts = [r.text for r in got if r.text != apology]
            if not texts and len(got) > turn.apologies:  # only apologies, and a new one
                return True
            if texts and turn_complete(texts, alternatives):
                turn.e2e_s = max(r.at for r in got if r.text != apology) - turn.sent_at
                return False
            if not await self.book.wait_for_more(phone, turn.start + len(got), deadline):
                turn.timed_out = True
                return False
