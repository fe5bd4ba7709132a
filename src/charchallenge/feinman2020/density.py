"""What the three Feinman & Lake (2020) models have in common: each is a density over the same
drawing variables (:mod:`.encoding`: start locations, offsets, stroke ends, number of strokes)
with a causal sampler, so their NLLs in nats per character are comparable (Table 1)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .encoding import Batch, per_drawing


class DrawingDensity(nn.Module):
    """Base of Full NS, H-LSTM and Baseline LSTM.

    A subclass sets ``name`` (its key in params and results) and ``needs_canvases`` (whether a
    :class:`.encoding.Batch` must carry the rendered canvases), and implements
    ``log_prob_parts(batch) -> {term: (D,) log-probabilities}`` and
    ``sample(n, temperature, generator, max_strokes, max_control_points) -> (drawings, log_prob)``.
    """

    name: str
    needs_canvases: bool = False

    def log_prob_parts(self, batch: Batch) -> dict[str, Tensor]:
        raise NotImplementedError

    def log_prob(self, batch: Batch) -> Tensor:
        """Per-drawing log-likelihood (nats): the sum of the parts."""
        return sum(self.log_prob_parts(batch).values())

    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
               max_strokes: int = 10, max_control_points: int = 50) -> tuple[list, Tensor]:
        raise NotImplementedError


def stroke_terms(batch: Batch, **terms: Tensor) -> dict[str, Tensor]:
    """Per-stroke log-probability terms (S,) summed into per-drawing terms (D,), by name."""
    return {name: per_drawing(values, batch) for name, values in terms.items()}
