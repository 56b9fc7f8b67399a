"""Re-export of the fake Twilio API, which lives in evals.fakes so benchmarks can use it."""

from evals.fakes.twilio_api import MAX_BODY_CHARS, FakeAttempt, FakeMessage, FakeTwilioAPI

__all__ = ["MAX_BODY_CHARS", "FakeAttempt", "FakeMessage", "FakeTwilioAPI"]
