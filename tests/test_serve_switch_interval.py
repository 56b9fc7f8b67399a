"""`genie serve` shortens the GIL switch interval so the webhook is not starved by workers."""

from __future__ import annotations

import sys

from agent.cli.serve import apply_gil_switch_interval
from agent.settings import Settings


def test_the_setting_sets_the_interpreters_switch_interval() -> None:
    before = sys.getswitchinterval()
    try:
        assert apply_gil_switch_interval(Settings(gil_switch_interval_ms=0.5)) == 0.0005
        assert abs(sys.getswitchinterval() - 0.0005) < 1e-9
        apply_gil_switch_interval(Settings(gil_switch_interval_ms=5))
        assert abs(sys.getswitchinterval() - 0.005) < 1e-9
    finally:
        sys.setswitchinterval(before)
