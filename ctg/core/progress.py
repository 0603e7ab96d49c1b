"""What the command line tells the user: progress of long runs (one line per step, shown once a run
passes two seconds) and plain messages, all with French typography."""

from __future__ import annotations

import sys
import time

from .french import french_typography, seconds


class Progress:
    def __init__(self, stream=None, delay: float = 2.0):
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self.pending: list[str] = []

    def step(self, message: str) -> None:
        elapsed = time.monotonic() - self.start
        line = f"[{seconds(elapsed, 5)}] {french_typography(message)}"
        if elapsed < self.delay:
            self.pending.append(line)
            return
        for old in self.pending:
            print(old, file=self.stream)
        self.pending.clear()
        print(line, file=self.stream, flush=True)

    def done(self, message: str) -> None:
        say(message, self.stream)


def say(message: str, stream=None) -> None:
    """One message for the user (stdout unless stream), with French typography (no-break spaces)."""
    print(french_typography(message), file=stream or sys.stdout, flush=True)
