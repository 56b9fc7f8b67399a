"""Local fakes of external services (the OpenAI API, Twilio's REST API) for tests and benchmarks."""
