"""Progress of long work: a tqdm bar on a terminal, one plain line per update in a log file.

tqdm redraws its bar with carriage returns, which a log file keeps as one unreadable line.
:class:`Progress` keeps the bar for people at a terminal and, when the stream is not a TTY (a
Snakemake job's log), prints ``desc: done/total (pct%) [key=value ...] elapsed, eta`` at most
every ``interval`` seconds, and once at the end.
"""

from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


class Progress:
    def __init__(self, total: int, desc: str, initial: int = 0, unit: str = "it", interval: float = 30.0,
                 stream=None):
        self.total, self.desc, self.unit, self.interval = int(total), desc, unit, float(interval)
        self.n = self.start_n = int(initial)
        self.stream = stream or sys.stderr
        self.postfix: dict[str, str] = {}
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=self.n, desc=desc, unit=unit, mininterval=2.0, file=self.stream)

    def set_postfix(self, **values) -> None:
        self.postfix = {k: str(v) for k, v in values.items()}
        if self.bar is not None:
            self.bar.set_postfix(**values)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.bar is not None:
            self.bar.update(n)
        elif time.monotonic() - self.last >= self.interval:
            self._line()

    def _line(self) -> None:
        now = time.monotonic()
        self.last = now
        done = self.n - self.start_n
        rate = done / max(now - self.t0, 1e-9)
        eta = (self.total - self.n) / rate if rate > 0 else float("nan")
        pct = 100.0 * self.n / max(self.total, 1)
        extra = "".join(f" {k}={v}" for k, v in self.postfix.items())
        print(f"{self.desc}: {self.n}/{self.total} {self.unit} ({pct:.0f}%){extra}, {now - self.t0:.0f} s elapsed, "
              f"eta {eta:.0f} s", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            self._line()


def progress(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it",
             interval: float = 30.0) -> Iterator[T]:
    """Iterate over ``items`` reporting progress (see :class:`Progress`)."""
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    bar = Progress(total if total is not None else len(items), desc, unit=unit, interval=interval)
    try:
        for item in items:
            yield item
            bar.update()
    finally:
        bar.close()
