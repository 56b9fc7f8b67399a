"""The bench's correctness checks, percentiles, turn completion and the fakes' load knobs."""

from __future__ import annotations

import time

import httpx
import pytest

from evals.bench.checks import Tally, check_partner, check_progress
from evals.bench.load import Turn, turn_complete
from evals.bench.reference import Expected, FinalState
from evals.bench.replies import Received
from evals.bench.script import keyword_only_script, make_partner, script_for
from evals.bench.stats import percentile, summary_ms
from evals.fakes.llm_responder import answer_from_passages, keyword_tool_responder
from evals.fakes.openai_server import FakeOpenAI, error, text
from evals.fakes.twilio_api import FakeTwilioAPI

APOLOGY = "sorry, try again"
DONE = FinalState((1, 2), 2, False, True)
PARTNER = make_partner(0)


def _expected() -> Expected:
    return Expected([[["a1", "a2"]], [["b1"], ["b-fallback"]], [["c1", "c2"]]], DONE)


def _turns(n: int = 3) -> list[Turn]:
    return [Turn(0, step, "keyword", 0.0, 0) for step in range(n)]


def _check(texts: list[str], turns: list[Turn] | None = None) -> Tally:
    tally = Tally()
    received = [Received(t, float(i)) for i, t in enumerate(texts)]
    check_partner(PARTNER, turns or _turns(), received, _expected(), APOLOGY, tally)
    return tally


def test_every_reply_once_in_order_is_clean() -> None:
    tally = _check(["a1", "a2", "b1", "c1", "c2"])
    assert (tally.lost, tally.duplicated, tally.out_of_order, tally.unexpected) == (0, 0, 0, 0)
    assert tally.expected_replies == tally.received_replies == 5 and not tally.examples


def test_fallback_answer_is_accepted_and_apologies_are_counted_apart() -> None:
    tally = _check(["a1", "a2", APOLOGY, "b-fallback", "c1", "c2"])
    assert (tally.lost, tally.duplicated, tally.unexpected, tally.apologies) == (0, 0, 0, 1)


def test_lost_duplicated_reordered_and_unexpected_replies_are_counted() -> None:
    assert _check(["a1", "a2", "b1", "c1"]).lost == 1
    assert _check(["a1", "a2", "a2", "b1", "c1", "c2"]).duplicated == 1
    assert _check(["a2", "a1", "b1", "c1", "c2"]).out_of_order == 1
    tally = _check(["a1", "a2", "b1", "zzz", "c1", "c2"])
    assert tally.unexpected == 1 and tally.examples


def test_a_duplicate_across_a_kill_is_counted_apart_from_other_duplicates() -> None:
    # a2 arrived at t=1, the service was killed at t=1.5, and a2 came again at t=2.
    received = [Received(t, float(i)) for i, t in enumerate(["a1", "a2", "a2", "b1", "c1", "c2"])]
    tally = Tally()
    check_partner(PARTNER, _turns(), received, _expected(), APOLOGY, tally, kills=[1.5])
    assert (tally.duplicated, tally.duplicated_at_kill) == (0, 1)
    tally = Tally()
    check_partner(PARTNER, _turns(), received, _expected(), APOLOGY, tally, kills=[4.5])
    assert (tally.duplicated, tally.duplicated_at_kill) == (1, 0)


def test_a_late_reply_is_neither_lost_nor_duplicated() -> None:
    # The partner gave up on turn 0 and sent turn 1; a2 came after b1's turn began.
    turns = _turns()
    turns[0].timed_out = True
    tally = _check(["a1", "a2", "b1", "c1", "c2"], turns)
    assert (tally.lost, tally.duplicated, tally.turns_timed_out) == (0, 0, 1)


def test_final_progress_is_compared_only_for_partners_who_finished() -> None:
    tally = Tally()
    check_progress(PARTNER, True, _expected(), lambda _p: DONE, tally)
    check_progress(PARTNER, True, _expected(), lambda _p: FinalState((1,), 2, True, True), tally)
    check_progress(PARTNER, False, _expected(), lambda _p: DONE, tally)
    assert (tally.partners_checked, tally.partners_wrong_progress) == (2, 1)
    assert tally.partners_unfinished == 1


def test_turn_complete_waits_for_the_longest_consistent_answer() -> None:
    alternatives = [["x", "y"], ["z"]]
    assert not turn_complete(["x"], alternatives)
    assert turn_complete(["x", "y"], alternatives) and turn_complete(["z"], alternatives)
    assert turn_complete(["wrong"], alternatives)  # cannot become right: stop waiting


def test_percentiles_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile([], 50)) == (50, 99, 0)
    assert summary_ms([0.001, 0.003]) == {
        "count": 2,
        "p50": 1.0,
        "p95": 3.0,
        "p99": 3.0,
        "max": 3.0,
    }


def test_scripts_play_a_whole_training_through_three_paths() -> None:
    steps = script_for(1)
    assert {s.path for s in steps} == {"keyword", "llm", "question"}
    assert steps[0].text == "I am a new partner"
    assert all(s.path == "keyword" for s in keyword_only_script())
    assert make_partner(7).phone == "+15550000007" and make_partner(7).variant == 1


def test_fake_twilio_burst_and_callback() -> None:
    seen: list[str] = []
    with FakeTwilioAPI(on_message=lambda m: seen.append(m.body)) as api:
        url = f"{api.base_url}/2010-04-01/Accounts/{api.account_sid}/Messages.json"
        form = {"To": "whatsapp:+15550001", "From": "whatsapp:+1", "Body": "hi"}
        auth = (api.account_sid, api.auth_token)
        # A window long enough for one post on a loaded machine (a post took up to 0.7 s there).
        window_s = 2.0
        burst_ends = time.monotonic() + window_s
        api.burst(429, window_s)
        assert httpx.post(url, data=form, auth=auth, timeout=5).status_code == 429
        time.sleep(max(0.0, burst_ends - time.monotonic()) + 0.05)
        assert httpx.post(url, data=form, auth=auth, timeout=5).status_code == 201
    assert seen == ["hi"] and [a.status for a in api.attempts] == [429, 201]


def _chat(srv: FakeOpenAI, said: str, tools: list[str]) -> httpx.Response:
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": said}],
        "tools": [{"type": "function", "function": {"name": n}} for n in tools],
    }
    return httpx.post(srv.base_url + "/chat/completions", json=body, timeout=5)


def test_fake_llm_latency_fault_window_and_keyword_tool_choice() -> None:
    with FakeOpenAI(latency_s=0.2, responder=keyword_tool_responder) as srv:
        started = time.monotonic()
        answer = _chat(srv, "session 4", ["navigate"]).json()
        assert time.monotonic() - started >= 0.2
        call = answer["choices"][0]["message"]["tool_calls"][0]["function"]
        assert (call["name"], call["arguments"]) == ("navigate", '{"action": "jump", "session": 4}')
        srv.inject(error(500), 5)
        assert _chat(srv, "next", ["navigate"]).status_code == 500
        srv.inject(text("unused"), 0)
        reply = _chat(srv, "thanks!", []).json()["choices"][0]["message"]  # no tool offered
        assert "tool_calls" not in reply and "menu" in reply["content"]
    assert [u["request"] for u in srv.usages] == [1, 3]


@pytest.mark.parametrize(
    ("output", "answer"),
    [
        ('<passage session="3" heading="Q">\nMOQ is 500 kg. Valid 7 days. More.\n</passage>',
         "MOQ is 500 kg. Valid 7 days. (from session 3)"),
        ("no passages here", "NOT_COVERED"),
    ],
)  # fmt: skip
def test_fake_llm_answers_from_the_first_passage_with_a_citation(output: str, answer: str) -> None:
    assert answer_from_passages(output) == answer
