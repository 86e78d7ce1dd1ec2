"""A signal ends a run wherever it lands, even where Python drops exceptions.

Python runs the handler between any two bytecodes of the main thread, and an
exception raised inside a destructor or an at-fork hook (logging's, after
each indexing worker is forked) is printed and dropped. Seen in CI: a SIGINT
sent as the workers started printed a traceback and the run finished with
exit 0, as if Ctrl-C had never been pressed. Each test runs a small program
in a fresh process, since the handlers are process-wide.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROGRAM = textwrap.dedent(
    """
    import os, signal, sys, time
    from newssearch.cli.signals import stop_on_signals
    from newssearch.errors import Terminated

    stop_on_signals()

    class Dropper:
        '''Delivers the signal from inside a destructor, whose exceptions Python drops.'''
        def __del__(self):
            os.kill(os.getpid(), getattr(signal, sys.argv[1]))
            for _ in range(1000):
                pass

    try:
        Dropper()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.01)
        print("finished")
    except Terminated:
        print("terminated")
    except KeyboardInterrupt:
        print("interrupted")
    """
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("sig", "outcome"), [("SIGINT", "interrupted"), ("SIGTERM", "terminated"), ("SIGHUP", "terminated")])
def test_a_signal_swallowed_in_a_destructor_is_delivered_again(sig, outcome):
    done = run(sig)
    assert done.stdout.strip() == outcome
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_other_errors_in_destructors_are_still_reported():
    program = textwrap.dedent(
        """
        from newssearch.cli.signals import stop_on_signals
        stop_on_signals()
        class Broken:
            def __del__(self):
                raise ValueError("from a destructor")
        Broken()
        print("finished")
        """
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "finished"
    assert "Exception ignored" in done.stderr and "ValueError: from a destructor" in done.stderr


WORKER = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    from newssearch.cli.signals import stop_on_signals
    from newssearch.engine.workers import start_shielded, unblock_run_signals

    def work():
        time.sleep(1.0)  # the moment between the fork and the worker's own dispositions, widened
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        unblock_run_signals()
        time.sleep(30)

    stop_on_signals()
    worker = multiprocessing.get_context("fork").Process(target=work)
    if sys.argv[1] == "shielded":
        start_shielded(worker)
    else:
        worker.start()
    time.sleep(0.2)
    worker.terminate()  # as a cancelled run ends its workers
    worker.join(10)
    print(worker.exitcode)
    """
)


@pytest.mark.parametrize(("how", "quiet"), [("shielded", True), ("plain", False)])
def test_a_worker_terminated_as_it_starts_dies_quietly_when_started_shielded(how, quiet):
    # a forked worker inherits the run's handlers until it sets its own: a
    # SIGTERM in between ran the run's handler there and printed a traceback
    done = subprocess.run([sys.executable, "-c", WORKER, how], capture_output=True, text=True, timeout=60, check=False)
    assert ("Traceback" not in done.stderr) is quiet, done.stderr
    assert (done.stdout.strip() == str(-15)) is quiet, done.stdout
