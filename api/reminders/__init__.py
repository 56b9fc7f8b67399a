"""Reminders in the running service and the CLI: building the scheduler, the leased loop."""
