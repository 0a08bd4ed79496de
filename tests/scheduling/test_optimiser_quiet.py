"""HiGHS is silenced through its own options: nothing reaches fd 1, no descriptor is redirected.

Redirecting file descriptor 1 around the solver (as the optimiser once did) swallows the
output of every other thread of the process for that time, which a server cannot allow.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mentra_desktop.scheduling.optimiser import optimise, solve_problem

from .test_optimiser import council, random_problem

# Run in a fresh interpreter so fd 1 is a pipe the test reads whole. A second thread
# writes "tick" lines to fd 1 for as long as the solve runs; os.dup / os.dup2 are spied.
CHILD = r"""
import json, os, pickle, sys, threading

calls = []
for name in ("dup", "dup2"):
    def spy(*args, _real=getattr(os, name), _name=name, **kwargs):
        calls.append(_name)
        return _real(*args, **kwargs)
    setattr(os, name, spy)

from mentra_desktop.scheduling.optimiser import solve_problem

with open(sys.argv[1], "rb") as handle:
    problem = pickle.load(handle)
done = threading.Event()
written = 0

def chatter():
    global written
    while not done.is_set():
        os.write(1, b"tick\n")
        written += 1
        done.wait(0.001)

thread = threading.Thread(target=chatter)
thread.start()
plan, status, gap, bound = solve_problem(problem, 60.0)
done.set()
thread.join()
summary = {"status": status, "ticks": written, "calls": calls}
os.write(1, (json.dumps(summary) + "\n").encode())
"""


def test_a_solve_prints_nothing_and_other_threads_keep_their_stdout(tmp_path: Path) -> None:
    # Fractional LPs at every level: the LP, RENS and exact-MIP paths all run HiGHS.
    problem_file = tmp_path / "problem.pickle"
    problem_file.write_bytes(pickle.dumps(random_problem(60, 30, 20, seed=3)))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(problem_file)],
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines = child.stdout.decode().splitlines()
    summary = json.loads(lines[-1])
    assert summary["status"] == "optimal"
    assert summary["calls"] == []
    assert summary["ticks"] > 0
    assert lines[:-1] == ["tick"] * summary["ticks"]  # every line the thread wrote, and only those
    assert child.stderr == b""


def test_no_descriptor_is_touched_in_process(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []
    for name in ("dup", "dup2"):
        real = getattr(os, name)

        def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(*args)

        monkeypatch.setattr(os, name, spy)
    plan, status, _, _ = solve_problem(random_problem(60, 30, 20, seed=3), 60.0)
    one = council("one", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 0})
    result = optimise([one])
    monkeypatch.undo()  # pytest's own capture uses dup2; only the solves are watched
    assert calls == []
    assert status == "optimal" and plan and result.status == "optimal"
    assert capfd.readouterr() == ("", "")
