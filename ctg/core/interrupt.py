"""Ctrl-C stops a build within seconds, at any phase: the external programs it started (pandoc,
LibreOffice and its helper, the workers) are stopped at once, instead of being waited for."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

INTERRUPTED = threading.Event()  # set by Ctrl-C: a worker thread starts no new external program


_MAIN: list[int] = []


def install():
    """Ctrl-C (SIGINT) stops the programs this one started, then raises KeyboardInterrupt; returns
    the previous handler (for restore())."""
    _MAIN[:] = [os.getpid()]
    INTERRUPTED.clear()
    return signal.signal(signal.SIGINT, _handler)


def restore(previous) -> None:
    signal.signal(signal.SIGINT, previous)


def _handler(signum, frame) -> None:
    if _MAIN == [os.getpid()]:  # the command itself, not one of its forked workers
        INTERRUPTED.set()
        stop_children()
    raise KeyboardInterrupt


def check() -> None:
    """In a worker thread, between two external programs: stop if Ctrl-C was pressed."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt


def descendants(pid: int) -> list[int]:
    """Every process started by pid, directly or not (Linux: /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def stop_children() -> None:
    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
