"""Progress display for long runs: one line per step, shown once a run passes two seconds."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, stream=None, delay: float = 2.0):
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self.pending: list[str] = []

    def step(self, message: str) -> None:
        elapsed = time.monotonic() - self.start
        line = f"[{elapsed:5.1f} s] {message}"
        if elapsed < self.delay:
            self.pending.append(line)
            return
        for old in self.pending:
            print(old, file=self.stream)
        self.pending.clear()
        print(line, file=self.stream, flush=True)

    def done(self, message: str) -> None:
        print(message, file=self.stream, flush=True)
