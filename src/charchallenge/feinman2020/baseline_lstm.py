"""Baseline LSTM (Feinman & Lake 2020, "Baseline LSTM"; Appendix A): the unconditional
Sketch-RNN decoder (Ha & Eck 2018, Sec. 3.3) over one long sequence of pen actions.

A drawing's control points q_1..q_M (all strokes, in order, normalised units) become steps
t = 1..M with offset ``D_t = q_t - q_{t-1}`` (q_0 = normalised motor origin, so D_1 is the first
start location up to a translation) and a ternary pen state ``v_t`` saying what follows point
t: 0 = the stroke continues, 1 = the stroke ends and a new one starts, 2 = the drawing ends.
``h_t = f_LSTM(D_{t-1}, v_{t-1}, h_{t-1})`` from zero states, with D_0 = 0 and v_0 = 1 (a
stroke starts); the output layer gives a GMM for D_t and a categorical for v_t.

The map from (starts, within-stroke offsets) to the D_t is a translation per step (unit
Jacobian) and (stroke ends, number of strokes) are read off v, so this density is over exactly
the variables the other two models score. L layers of K units with dropout p (between layers
and on the output) are tuned.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from charchallenge.mixtures import GMMHead, gmm_log_prob, sample_categorical, sample_gmm

from .density import DrawingDensity
from .encoding import MOTOR_ZERO, Batch, denormalise


def pen_sequences(batch: Batch) -> tuple[Tensor, Tensor, Tensor]:
    """Per drawing: offsets D (D, M, 2), pen states v (D, M) and a step mask (D, M)."""
    n_cp = batch.n_cp
    m_per = torch.zeros(batch.n_drawings, dtype=torch.long).index_add(0, batch.drawing, n_cp)
    m = int(m_per.max())
    # Absolute normalised points of every stroke, flattened in drawing order.
    t = batch.offsets.shape[1]
    pts = torch.cat([batch.start[:, None], batch.start[:, None] + torch.cumsum(batch.offsets, 1)], 1)  # (S, T+1, 2)
    keep = torch.arange(t + 1)[None] < n_cp[:, None]
    flat = pts[keep]  # (sum k, 2), strokes in order
    last_in_stroke = (torch.arange(t + 1)[None] == (n_cp[:, None] - 1))[keep]
    stroke_of = torch.repeat_interleave(torch.arange(len(n_cp)), n_cp)
    drawing_of = batch.drawing[stroke_of]
    pos = torch.arange(len(flat)) - torch.repeat_interleave(torch.cumsum(m_per, 0) - m_per, m_per)
    points = torch.zeros(batch.n_drawings, m, 2)
    points[drawing_of, pos] = flat
    pen = torch.zeros(batch.n_drawings, m, dtype=torch.long)
    pen[drawing_of, pos] = torch.where(last_in_stroke, 1, 0)
    pen[torch.arange(batch.n_drawings), m_per - 1] = 2
    prev = torch.cat([torch.as_tensor(MOTOR_ZERO, dtype=points.dtype).expand(batch.n_drawings, 1, 2), points[:, :-1]], 1)
    mask = torch.arange(m)[None] < m_per[:, None]
    return torch.where(mask[..., None], points - prev, torch.zeros_like(points)), pen, mask


class BaselineLSTM(DrawingDensity):
    name = "baseline_lstm"
    needs_canvases = False

    def __init__(self, hidden=256, layers=1, dropout=0.0):
        super().__init__()
        self.lstm = nn.LSTM(5, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = GMMHead(hidden, ridge=1e-4)
        self.pen = nn.Linear(hidden, 3)

    def _inputs(self, deltas: Tensor, pen: Tensor) -> Tensor:
        d0 = torch.zeros_like(deltas[:, :1])
        v0 = torch.ones_like(pen[:, :1])
        return torch.cat([torch.cat([d0, deltas[:, :-1]], 1), F.one_hot(torch.cat([v0, pen[:, :-1]], 1), 3).float()], -1)

    def log_prob_parts(self, batch: Batch) -> dict[str, Tensor]:
        deltas, pen, mask = pen_sequences(batch)
        out, _ = self.lstm(self._inputs(deltas, pen))
        out = self.drop(out)
        lp_d = torch.where(mask, gmm_log_prob(self.head(out), deltas), torch.zeros_like(mask, dtype=out.dtype))
        lp_v = torch.where(mask, -F.cross_entropy(self.pen(out).transpose(1, 2), pen, reduction="none"),
                           torch.zeros_like(mask, dtype=out.dtype))
        return {"offsets": lp_d.sum(1), "pen": lp_v.sum(1)}

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0, generator: torch.Generator | None = None,
               max_strokes: int = 10, max_control_points: int = 50):
        """Sketch-RNN sampling; truncation: a new stroke past ``max_strokes`` or a stroke longer
        than ``max_control_points`` is turned into the end of the drawing / of the stroke."""
        points = [[[]] for _ in range(n)]
        logp = torch.zeros(n)
        delta, pen = torch.zeros(n, 2), torch.ones(n, dtype=torch.long)
        pos = torch.tensor(MOTOR_ZERO, dtype=torch.float32).repeat(n, 1)
        active = torch.ones(n, dtype=torch.bool)
        state = None
        for _ in range(max_strokes * max_control_points):
            x = torch.cat([delta, F.one_hot(pen, 3).float()], -1)[:, None]
            out, state = self.lstm(x, state)
            out = out[:, 0]
            gmm, logits = self.head(out), self.pen(out)
            delta = sample_gmm(gmm, temperature, generator)
            pen = sample_categorical(logits, temperature, generator)
            for j in torch.nonzero(active).flatten().tolist():
                strokes = points[j]
                if pen[j] == 1 and len(strokes) >= max_strokes:
                    pen[j] = 2
                if pen[j] == 0 and len(strokes[-1]) + 1 >= max_control_points:
                    pen[j] = 1 if len(strokes) < max_strokes else 2
            lp = gmm_log_prob(gmm, delta) + torch.log_softmax(logits, -1).gather(1, pen[:, None]).squeeze(1)
            logp += torch.where(active, lp, torch.zeros(n))
            pos = pos + delta
            for j in torch.nonzero(active).flatten().tolist():
                points[j][-1].append(pos[j].double().numpy().copy())
                if pen[j] == 1:
                    points[j].append([])
            active = active & (pen != 2)
            if not active.any():
                break
        drawings = [[denormalise(np.stack(s)) for s in d if s] for d in points]
        return drawings, logp
