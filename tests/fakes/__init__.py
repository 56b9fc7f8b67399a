"""Local fakes of external services (Twilio, LLM, ...) used by the tests."""
