"""The four eval suites: intents, questions, safety and stories."""
