"""Send a Snakemake script job's output to the log file its rule declares (``log:``).

Snakemake does not capture what a ``script:`` job prints; every script calls
:func:`log_to_file` first, so its messages, warnings and progress lines (see
:mod:`charchallenge.progress`) land in the rule's log, which ``--show-failed-logs`` prints when
the job fails. A job without a declared log keeps printing to the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path


def log_to_file(smk) -> None:
    """Redirect ``sys.stdout`` and ``sys.stderr`` to ``smk.log[0]`` (line-buffered)."""
    if not getattr(smk, "log", None):
        return
    path = Path(smk.log[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w", buffering=1)
    sys.stdout = sys.stderr = handle
    wildcards = ", ".join(f"{k}={v}" for k, v in dict(smk.wildcards.items()).items())
    print(f"# rule {smk.rule} ({wildcards or 'no wildcards'}), {smk.threads} thread(s)", flush=True)
