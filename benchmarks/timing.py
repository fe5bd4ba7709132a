"""Shared timing helper for the benchmark scripts (run them as `python benchmarks/<name>.py`)."""

import time


def best_of(fn, repeat=3):
    """Smallest wall-clock time of ``repeat`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
