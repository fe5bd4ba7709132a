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
from torch import Tensor

from charchallenge.device import resolve_device
from charchallenge.feinman2020 import canvases as cv
from charchallenge.feinman2020.canvases import render_drawings
from charchallenge.feinman2020.encoding import MOTOR_ZERO, ORIGIN, SCALE, Batch, encode, make_batch
from charchallenge.feinman2020.full_ns import FullNS
from charchallenge.feinman2020.sampling import load_model
from charchallenge.render import PackedStrokes, render

from .image_model import spline_trajectories

LOG_SCALE = math.log(SCALE)


class TypeModel:
    """log P(psi) in pixel units for drawings given as lists of (k, 2) motor-px control points."""

    def __init__(self, density: FullNS, batch_size: int = 256):
        if not isinstance(density, FullNS):
            raise TypeError(f"the GNS type model is a Full NS density, got {type(density).__name__}")
        self.density = density.eval()
        self.batch_size = batch_size

    @property
    def device(self) -> torch.device:
        """Where the density's weights are: every GNS computation with this model runs there."""
        return next(self.density.parameters()).device

    @torch.no_grad()
    def log_prob(self, drawings: list[list[np.ndarray]]) -> np.ndarray:
        """log P(psi) (nats, pixel units) of each drawing, scored in batches. The partial canvases
        are rendered once per distinct set of strokes (:func:`shared_partial_canvases`), on the
        CPU, and each batch is moved to the model's device."""
        distinct, ids = shared_partial_canvases(drawings)
        out = []
        for a in range(0, len(drawings), self.batch_size):
            part = drawings[a : a + self.batch_size]
            enc = encode(part)
            rows = torch.as_tensor([c for i in range(a, a + len(part)) for c in ids[i]], dtype=torch.long,
                                   device="cpu")
            batch = make_batch(enc, torch.arange(len(part), device="cpu"), distinct[rows]).to(self.device)
            lp = self.density.log_prob(batch).double().cpu().numpy()
            n_cp = np.array([sum(len(s) for s in d) for d in part])
            out.append(lp - 2 * n_cp * LOG_SCALE)
        return np.concatenate(out) if out else np.zeros(0)


def shared_partial_canvases(drawings: list[list[np.ndarray]]) -> tuple[Tensor, list[list[int]]]:
    """The partial canvases of every drawing (those of
    :func:`~charchallenge.feinman2020.canvases.partial_canvases`: blank, after stroke 1, ...,
    complete), each distinct one rendered once.

    A partial canvas depends on the set of strokes drawn so far, not on their order: the parser's
    candidates of one walk are the same strokes in many orders and directions, so most of their
    canvases repeat (a 3-stroke walk's 48 configurations have 192 canvases, 27 distinct).
    Strokes are matched by their control points (a reversed stroke is another stroke: its ink
    differs at the ends). A repeated set is rendered in the order first met, which changes its
    pixels only by floating-point summation order.

    Returns ``(distinct, ids)``: drawing ``i``'s canvas after ``j`` strokes is ``distinct[ids[i][j]]``."""
    index: dict[frozenset, int] = {}
    prefixes, ids = [], []
    for d in drawings:
        keys = [(s.shape, s.dtype.str, np.ascontiguousarray(s).tobytes()) for s in map(np.asarray, d)]
        row = []
        for j in range(len(d) + 1):
            key = frozenset(keys[:j])
            if key not in index:
                index[key] = len(prefixes)
                prefixes.append(d[:j])
            row.append(index[key])
        ids.append(row)
    return render_drawings(prefixes), ids


def packed_batch(type_cp: PackedStrokes, token_cp: PackedStrokes, n_samples: list[int]) -> Batch:
    """A differentiable Full NS :class:`~charchallenge.feinman2020.encoding.Batch` of packed
    parses: offsets from the type's control points, starts, previous points and the partial
    canvases from the token's (facts section 5: "the type term uses type-level splines for offsets
    and token-level drawings for canvases and starts"). Strokes must be packed in drawing order."""
    pts, tok = type_cp.points, token_cp.points
    dev, dtype = pts.device, pts.dtype
    origin = torch.as_tensor(ORIGIN, dtype=dtype, device=dev)
    norm_type, norm_tok = (pts - origin) / SCALE, (tok - origin) / SCALE
    s_idx = type_cp.stroke_index
    n_s, n_d = type_cp.n_strokes, type_cp.n_drawings
    counts = torch.bincount(s_idx, minlength=n_s)
    first = torch.cumsum(counts, 0) - counts
    last = first + counts - 1
    within = torch.arange(len(pts), device=dev) - first[s_idx]
    t_max = max(1, int(counts.max()) - 1)
    offsets = pts.new_zeros(n_s, t_max, 2)
    step = within > 0
    offsets = offsets.index_put((s_idx[step], within[step] - 1), norm_type[step] - norm_type[torch.nonzero(step)[:, 0] - 1])
    drawing = type_cp.stroke_drawing
    n_strokes = torch.bincount(drawing, minlength=n_d)
    stroke_first = torch.cumsum(n_strokes, 0) - n_strokes
    position = torch.arange(n_s, device=dev) - stroke_first[drawing]
    prev = torch.as_tensor(MOTOR_ZERO, dtype=dtype, device=dev).expand(n_s, 2).clone()
    has_prev = position > 0
    prev[has_prev] = norm_tok[last[torch.nonzero(has_prev)[:, 0] - 1]]
    # Partial canvases: canvas s holds stroke s's drawing up to and including stroke s (its "after"
    # canvas; the last is the whole drawing). A drawing's blank canvas, before its first stroke,
    # is all zeros whatever the strokes, so it is not rendered (a fifth of the canvases).
    traj = spline_trajectories(token_cp, n_samples)
    strokes = torch.arange(n_s, device=dev)
    last_stroke = stroke_first[drawing] + n_strokes[drawing] - 1
    reps = (last_stroke - strokes + 1)[traj.stroke_index]  # a point of stroke s is in canvases s..last
    point_of = torch.repeat_interleave(torch.arange(len(traj.points), device=dev), reps)
    offs = torch.arange(len(point_of), device=dev) - torch.repeat_interleave(torch.cumsum(reps, 0) - reps, reps)
    image_of = traj.stroke_index[point_of] + offs
    copy_key = image_of * n_s + traj.stroke_index[point_of]  # one per (canvas, stroke): canvas-major order
    order = torch.argsort(copy_key, stable=True)  # points keep their order within a copy
    point_of, image_of = point_of[order], image_of[order]
    keys, stroke_ids = torch.unique_consecutive(copy_key[order], return_inverse=True)
    copies = PackedStrokes(traj.points[point_of], stroke_ids, image_of, keys // n_s, n_s)
    after = render(copies, size=cv.SIZE, blur_sigma=cv.BLUR_SIGMA)
    blank_then_after = torch.cat([after.new_zeros(1, *after.shape[1:]), after])  # row s + 1: after stroke s
    before = blank_then_after[torch.where(has_prev, strokes, 0)]
    return Batch(start=norm_tok[first], offsets=offsets, n_cp=counts, prev_point=prev, drawing=drawing,
                 position=position, is_last=position == n_strokes[drawing] - 1, n_strokes=n_strokes,
                 canvas_before=before, canvas_after=after)


def type_log_prob(model: "TypeModel", type_cp: PackedStrokes, token_cp: PackedStrokes,
                  n_samples: list[int]) -> Tensor:
    """Differentiable log P(psi) in pixel units per drawing (D,) of packed parses."""
    lp = model.density.log_prob(packed_batch(type_cp, token_cp, n_samples))
    n_cp = torch.bincount(type_cp.drawing_index, minlength=type_cp.n_drawings)
    return lp - 2 * n_cp * LOG_SCALE


def load_type_model(path, batch_size: int = 256, device: torch.device | str = "cpu") -> TypeModel:
    """The type model from a ``feinman2020`` holdout weights file (``full_ns_holdout.pt``), on
    ``device`` (``auto``: CUDA when available; params ``gns2021.device``): GNS runs where its type
    model is."""
    device = resolve_device(device) if isinstance(device, str) else device
    return TypeModel(load_model(path).to(device), batch_size)
