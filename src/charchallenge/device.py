"""Where a study's torch work runs: the ``device`` setting of params.yaml (``auto``, ``cpu`` or
``cuda``, schema ``workflow/schemas/params.schema.yaml``) as a torch device name, one mapping for
every study (Fabi et al. 2020, Feinman & Lake 2020, GNS)."""

from __future__ import annotations

import torch


def resolve_device(setting: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a CUDA device, else ``cpu``; any other setting as it is."""
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting
