"""The server worker's index lock is granted in the order it was asked for
(newssearch.web.turns): a request never waits behind one that came later."""

from __future__ import annotations

import threading
import time

import pytest

from newssearch.web.holder import IndexHolder
from newssearch.web.turns import TurnLock


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def _queue_in_order(lock: TurnLock, names: list[str], order: list[str]) -> list[threading.Thread]:
    """Start one thread per name, each queued before the next starts; each records its turn."""
    threads = []
    for n, name in enumerate(names, 1):
        def take(name: str = name) -> None:
            with lock:
                order.append(name)
        thread = threading.Thread(target=take)
        thread.start()
        _wait_until(lambda n=n: lock.waiting == n)
        threads.append(thread)
    return threads


def test_waiters_get_the_lock_in_the_order_they_asked():
    lock, order = TurnLock(), []
    lock.acquire()
    threads = _queue_in_order(lock, [f"t{i}" for i in range(8)], order)
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == [f"t{i}" for i in range(8)]
    assert lock.waiting == 0


def test_the_thread_that_lets_go_cannot_take_it_back_before_a_waiter():
    # the classic unfairness of a plain lock: the releasing thread, still
    # running, acquires again before the woken waiter is scheduled
    for _ in range(20):
        lock, order = TurnLock(), []
        lock.acquire()
        threads = _queue_in_order(lock, ["waiter"], order)
        lock.release()
        lock.acquire()
        order.append("came back")
        lock.release()
        threads[0].join(5)
        assert order == ["waiter", "came back"]


def test_a_free_lock_is_taken_at_once_and_a_stray_release_is_an_error():
    lock = TurnLock()
    with lock:
        assert lock.waiting == 0
    with pytest.raises(RuntimeError):
        lock.release()


def test_the_index_holder_queues_requests_on_a_turn_lock(tmp_path):
    assert isinstance(IndexHolder(tmp_path)._lock, TurnLock)  # what the server's requests queue on
