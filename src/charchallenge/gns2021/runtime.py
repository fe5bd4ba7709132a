"""How every GNS job sets up torch: seeded, and deterministic on a GPU as well.

On the CPU the GNS computations are deterministic as they are. On CUDA, scatter-adds (the
renderer paints by ``index_add``) and cuBLAS reductions may sum in a different order from run to
run, and Adam amplifies the last-bit differences; torch's deterministic algorithms (with cuBLAS's
fixed workspace, which must be set before CUDA starts) make a seed give the same numbers on the
same machine there too. Operations without a deterministic CUDA version warn instead of failing.
"""

from __future__ import annotations

import os

from charchallenge.provenance import seed_everything


def reproducible(seed: int) -> None:
    """Seed Python, NumPy and torch and ask torch for deterministic algorithms (CPU and CUDA)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    seed_everything(seed)
