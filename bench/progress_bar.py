"""A one-line progress bar for the loaders, redrawn in place on a terminal."""

from __future__ import annotations

import sys
import time

WIDTH = 30


class ProgressBar:
    def __init__(self, label: str, unit: str, total: int) -> None:
        self.label, self.unit, self.total = label, unit, max(total, 1)
        self.started = time.perf_counter()

    def update(self, done: int) -> None:
        filled = WIDTH * done // self.total
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0.0
        sys.stdout.write(
            f"\r  {self.label:<8} [{'#' * filled}{'.' * (WIDTH - filled)}] "
            f"{done:>9,}/{self.total:,} {self.unit}, {elapsed:.0f} s, {rate:,.0f}/s"
        )
        if done >= self.total:
            sys.stdout.write("\n")
        sys.stdout.flush()
