"""Tool descriptions the LLM reads, one <tool name>.md each (a package so they ship)."""
