"""Writing results atomically: a file appears only once it is complete."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json(path, payload) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def write_csv(path, frame, **kwargs) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    frame.to_csv(tmp, index=False, float_format="%.4g", **kwargs)
    os.replace(tmp, path)


def save_figure(fig, path, dpi: int = 100) -> None:
    """Save a matplotlib figure as a byte-stable PNG (no timestamp metadata)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part.png")
    fig.savefig(tmp, dpi=dpi, metadata={"Software": None})
    os.replace(tmp, path)
