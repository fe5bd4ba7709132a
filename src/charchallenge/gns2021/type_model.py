"""GNS type model P(psi) (Feinman & Lake 2021, Sec. 3 "Type model", Appendix A.1-A.2): the Full NS
density of Feinman & Lake (2020) - location, stroke and termination networks around the renderer
(:class:`charchallenge.feinman2020.full_ns.FullNS`) - with log-probabilities in pixel units.

Full NS scores drawings in normalised units (starts ``(p - (50, -50)) / 20``, offsets ``/ 20``,
:mod:`charchallenge.feinman2020.encoding`). A density over the same control points in pixels
differs by the Jacobian of that map: every continuous coordinate (2 per control point) is divided
by 20, so ``log p_px = log p_norm - 2 * (control points) * log 20``. Only in these units may the
type log-probability be added to the image log-likelihood (facts section 7: "add type
log-probabilities to the image likelihood only in pixel units").

The model must be a trained, converged one: :func:`load_type_model` reads the holdout Full NS the
``feinman2020`` stage trains (early-stopped on validation characters, learning curve in
``results/feinman2020/<scale>/learning_curves``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from charchallenge.feinman2020.canvases import partial_canvases
from charchallenge.feinman2020.encoding import SCALE, encode, make_batch
from charchallenge.feinman2020.full_ns import FullNS
from charchallenge.feinman2020.sampling import load_model

LOG_SCALE = math.log(SCALE)


class TypeModel:
    """log P(psi) in pixel units for drawings given as lists of (k, 2) motor-px control points."""

    def __init__(self, density: FullNS, batch_size: int = 256):
        if not isinstance(density, FullNS):
            raise TypeError(f"the GNS type model is a Full NS density, got {type(density).__name__}")
        self.density = density.eval()
        self.batch_size = batch_size

    @torch.no_grad()
    def log_prob(self, drawings: list[list[np.ndarray]]) -> np.ndarray:
        """log P(psi) (nats, pixel units) of each drawing, scored in batches."""
        out = []
        for a in range(0, len(drawings), self.batch_size):
            part = drawings[a : a + self.batch_size]
            enc = encode(part)
            batch = make_batch(enc, torch.arange(len(part)), partial_canvases(part))
            lp = self.density.log_prob(batch).double().numpy()
            n_cp = np.array([sum(len(s) for s in d) for d in part])
            out.append(lp - 2 * n_cp * LOG_SCALE)
        return np.concatenate(out) if out else np.zeros(0)


def load_type_model(path, batch_size: int = 256) -> TypeModel:
    """The type model from a ``feinman2020`` holdout weights file (``full_ns_holdout.pt``)."""
    return TypeModel(load_model(path), batch_size)
