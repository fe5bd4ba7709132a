"""The figure preamble every figure job shares: matplotlib on its file-only backend (Agg, no
display needed on a cluster node), imported once here so that scripts and plotting modules take
``plt`` from this module; figures are written by :func:`charchallenge.io.save_figure`
(byte-stable PNG)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from charchallenge.io import save_figure  # noqa: E402

__all__ = ["plt", "save_figure"]
