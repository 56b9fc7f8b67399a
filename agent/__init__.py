"""Genie's brain: the conversation engine, intent classification and the LLM agent."""
