"""Writing results atomically: a file appears only once it is complete.

Every writer goes through :func:`atomic_path`: the content is written to a temporary sibling
and renamed over the target only after the write succeeded, so a crash or a bad input never
leaves a half-written artifact behind.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` if the block succeeds.

    ``suffix`` is appended to the temporary name for writers that insist on an extension
    (``np.savez`` adds ``.npz``, matplotlib picks the format from it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part" + suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path, payload) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def write_csv(path, frame, **kwargs) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.4g", **kwargs)


def save_figure(fig, path, dpi: int = 100) -> None:
    """Save a matplotlib figure as a byte-stable PNG (no timestamp metadata)."""
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=dpi, metadata={"Software": None})


def save_npz(path, **arrays) -> None:
    """An uncompressed ``.npz`` of named arrays."""
    import numpy as np

    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **arrays)


def save_torch(path, payload) -> None:
    """A ``torch.save`` payload (weights, checkpoints, samples)."""
    import torch

    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
