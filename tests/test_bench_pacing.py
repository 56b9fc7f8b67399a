"""The bench's pacing: fixed by default, random (and repeatable) for busy-hour runs."""

from __future__ import annotations

import statistics

from evals.bench.load import LoadSettings, Pacing


def _settings(**changes: object) -> LoadSettings:
    return LoadSettings(think_s=2.0, turn_timeout_s=30, deadline=0, apology="", **changes)  # type: ignore[arg-type]


def test_default_pacing_is_a_fixed_stagger_and_fixed_pause() -> None:
    pacing = Pacing(_settings())
    assert [pacing.start_delay(i) for i in range(3)] == [0, 0.005, 0.01]
    assert {pacing.pause() for _ in range(20)} == {2.0}


def test_arrivals_spread_over_the_window_and_repeat_with_the_seed() -> None:
    first = [Pacing(_settings(arrivals_s=60.0)).start_delay(i) for i in range(1)]
    pacing = Pacing(_settings(arrivals_s=60.0))
    starts = [pacing.start_delay(i) for i in range(500)]
    assert all(0 <= s <= 60 for s in starts)
    assert min(starts) < 5 and max(starts) > 55  # the whole window, not a burst
    assert starts[0] == first[0]


def test_random_think_has_the_think_time_as_mean_and_is_capped() -> None:
    pacing = Pacing(_settings(random_think=True))
    pauses = [pacing.pause() for _ in range(5000)]
    assert 1.8 < statistics.mean(pauses) < 2.2
    assert max(pauses) <= 10.0
    assert len(set(pauses)) > 4000  # partners fall out of lockstep
