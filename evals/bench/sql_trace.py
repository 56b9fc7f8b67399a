"""Count what a SQLite connection runs: statements, and write transactions (its trace callback)."""

from __future__ import annotations

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class SQLTrace:
    """A trace callback: each statement, and each write transaction (BEGIN … COMMIT, or a
    write statement on its own, which SQLite commits by itself)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.write_transactions = 0
        self._open = False

    def __call__(self, sql: str) -> None:
        self.statements.append(sql)
        verb = sql.lstrip()[:8].upper()
        if verb.startswith("BEGIN"):
            self._open = True
            self.write_transactions += 1
        elif verb.startswith(("COMMIT", "ROLLBACK", "END")):
            self._open = False
        elif not self._open and verb.startswith(_WRITES):
            self.write_transactions += 1

    def reset(self) -> None:
        """Start counting again."""
        self.statements.clear()
        self.write_transactions = 0
