"""What the benchmark scripts share."""
from __future__ import annotations

import statistics
import time


def timed(fn, repeat: int = 1):
    """Run ``fn`` ``repeat`` times; return (median wall time in seconds, the last result)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
