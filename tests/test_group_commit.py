"""Group commit: waiting items go to the store together, each webhook gets its own answer only
after the write, failures reach every waiter, and the wait is bounded."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.whatsapp.group_commit import Backlog, GroupCommit


class Recorder:
    """A store that records each write call (the thread and the items) and can be held."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, list[int]]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail = fail

    def write(self, items: list[int]) -> list[int]:
        self.gate.wait(5)
        self.calls.append((threading.current_thread().name, list(items)))
        if self.fail is not None:
            raise self.fail
        return [item * 10 for item in items]


def _commit(name: str, linger_s: float = 0.0, max_waiting: int = 0) -> GroupCommit[int, int]:
    return GroupCommit(name, lambda store, items: store.write(items), 50, linger_s, max_waiting)


def test_waiting_items_are_written_in_one_call_and_each_gets_its_result() -> None:
    store, commits = Recorder(), _commit("test-group")

    async def scenario() -> list[int]:
        store.gate.clear()  # the first write waits, so the others queue behind it
        first = commits.submit(store, 1)
        await asyncio.sleep(0.05)
        rest = [commits.submit(store, n) for n in range(2, 6)]
        store.gate.set()
        return list(await asyncio.gather(first, *rest))

    assert asyncio.run(scenario()) == [10, 20, 30, 40, 50]
    assert [items for _, items in store.calls] == [[1], [2, 3, 4, 5]]
    assert all(thread == "test-group" for thread, _ in store.calls)


def test_linger_gathers_items_that_arrive_after_the_first() -> None:
    store, commits = Recorder(), _commit("test-linger", linger_s=0.2)

    async def scenario() -> list[int]:
        first = commits.submit(store, 1)
        await asyncio.sleep(0.05)  # within the linger: joins the first one's batch
        return list(await asyncio.gather(first, commits.submit(store, 2)))

    assert asyncio.run(scenario()) == [10, 20]
    assert [items for _, items in store.calls] == [[1, 2]]


def test_each_store_gets_its_own_write() -> None:
    one, two = Recorder(), Recorder()
    commits = _commit("test-stores", linger_s=0.1)

    async def scenario() -> list[int]:
        return list(await asyncio.gather(commits.submit(one, 1), commits.submit(two, 2)))

    assert asyncio.run(scenario()) == [10, 20]
    assert [items for _, items in one.calls] == [[1]] and [i for _, i in two.calls] == [[2]]


def test_a_failed_write_fails_every_waiter_of_its_batch() -> None:
    store, commits = Recorder(fail=RuntimeError("disk gone")), _commit("test-fail", 0.1)

    async def scenario() -> list[BaseException | int]:
        waiting = [commits.submit(store, n) for n in (1, 2)]
        return list(await asyncio.gather(*waiting, return_exceptions=True))

    outcomes = asyncio.run(scenario())
    assert [str(o) for o in outcomes] == ["disk gone", "disk gone"]
    # The thread survives a failure: the next item is written.
    store.fail = None
    assert asyncio.run(_one(commits, store, 3)) == 30


def test_a_wrong_number_of_results_is_an_error_not_a_mix_up() -> None:
    commits: GroupCommit[int, int] = GroupCommit("test-short", lambda _s, _items: [], 10)
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        asyncio.run(_one(commits, Recorder(), 1))


def test_too_many_waiting_is_a_backlog_and_drain_waits_for_the_rest() -> None:
    store, commits = Recorder(), _commit("test-backlog", max_waiting=2)

    async def scenario() -> list[int]:
        store.gate.clear()
        waiting = [commits.submit(store, 1), commits.submit(store, 2)]
        with pytest.raises(Backlog):
            commits.submit(store, 3)
        assert not commits.drain(0.05)  # still held
        store.gate.set()
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(scenario()) == [10, 20]
    assert commits.drain(1)
    assert [item for _, items in store.calls for item in items] == [1, 2]


async def _one(commits: GroupCommit[int, int], store: Recorder, item: int) -> int:
    return await commits.submit(store, item)
