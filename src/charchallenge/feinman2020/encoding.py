"""The drawing variables every Feinman & Lake (2020) model scores, in one shared encoding.

A character drawing is an ordered set of minimal splines ("Omniglot Case Study"; Fig. 2). For
stroke i with k_i control points c_0..c_{k-1} (motor px):

* start location ``y_i = norm(c_0)`` - the paper's "starting location conveying the first spline
  control point" (the released code instead targets the first point of the evaluated
  trajectory, 0.8 c0 + 0.2 c1; we follow the paper, so a drawing is exactly (starts, offsets));
* offsets ``x_i = {(c_j - c_{j-1}) / 20}``, j = 1..k-1 (facts section 1: inputs
  ``(p - (50, -50)) / 20``, so offsets / 20);
* the number of control points k_i (stroke end) and the number of strokes n.

All three models give a density over exactly these variables in these units (normalised
coordinates, 1 unit = 20 px), so their NLLs in nats per character are comparable. The Baseline
LSTM sees the same points as one sequence of offsets from the previous point (starting at the
normalised motor origin); that change of variables is a translation (unit Jacobian), so its
density is over the same variables too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

ORIGIN = np.array([50.0, -50.0])
SCALE = 20.0
MOTOR_ZERO = (np.zeros(2) - ORIGIN) / SCALE
"""Normalised motor (0, 0): the "previous point" before the first stroke (facts section 1)."""


def normalise(points: np.ndarray) -> np.ndarray:
    return (np.asarray(points, dtype=np.float64) - ORIGIN) / SCALE


def denormalise(points):
    return points * SCALE + torch.as_tensor(ORIGIN, dtype=points.dtype) if isinstance(points, torch.Tensor) \
        else np.asarray(points) * SCALE + ORIGIN


@dataclass
class Strokes:
    """Per-stroke tensors of some drawings (float32, normalised units).

    Per stroke s: ``start (S, 2)``, ``offsets (S, T, 2)`` zero-padded, ``n_cp (S,)`` control
    points, ``prev_point (S, 2)`` last control point of the previous stroke (MOTOR_ZERO for the
    first), ``drawing (S,)`` its drawing, ``position (S,)`` its index in the drawing,
    ``is_last (S,)``; per drawing ``n_strokes (D,)``.
    """

    start: torch.Tensor
    offsets: torch.Tensor
    n_cp: torch.Tensor
    prev_point: torch.Tensor
    drawing: torch.Tensor
    position: torch.Tensor
    is_last: torch.Tensor
    n_strokes: torch.Tensor


@dataclass
class EncodedDrawings(Strokes):
    """A whole set of drawings (:class:`Strokes`, ``drawing`` indexing the set) plus per drawing
    ``stroke_starts (D+1,)``, ``canvas_starts (D+1,)`` (a drawing of n strokes owns n+1
    canvases, blank first) and ``ids (D,)`` (index into the spline set).
    """

    stroke_starts: torch.Tensor
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.n_strokes)

    @property
    def canvas_starts(self) -> torch.Tensor:
        return torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(self.n_strokes + 1, 0)])

    def stroke_index(self, drawings: torch.Tensor) -> torch.Tensor:
        """Indices of the strokes of the given drawings, in drawing then stroke order."""
        a, b = self.stroke_starts[drawings], self.stroke_starts[drawings + 1]
        counts = b - a
        base = torch.repeat_interleave(a, counts)
        within = torch.arange(int(counts.sum())) - torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
        return base + within


def encode(drawings: list[list[np.ndarray]], ids=None) -> EncodedDrawings:
    """Encode drawings given as lists of (k, 2) control-point arrays in motor px."""
    starts, offs, ncp, prev, which, pos, last = [], [], [], [], [], [], []
    for d, strokes in enumerate(drawings):
        if not strokes:
            raise ValueError(f"drawing {d} has no strokes")
        p = MOTOR_ZERO
        for i, cp in enumerate(strokes):
            c = normalise(cp)
            starts.append(c[0])
            offs.append(np.diff(c, axis=0))
            ncp.append(len(c))
            prev.append(p)
            which.append(d)
            pos.append(i)
            last.append(i == len(strokes) - 1)
            p = c[-1]
    t = max(1, max(ncp) - 1)
    padded = np.zeros((len(offs), t, 2))
    for s, o in enumerate(offs):
        padded[s, : len(o)] = o
    n_strokes = torch.tensor([len(s) for s in drawings])
    f = lambda a: torch.tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
    return EncodedDrawings(
        start=f(starts), offsets=f(padded), n_cp=torch.tensor(ncp), prev_point=f(prev),
        drawing=torch.tensor(which), position=torch.tensor(pos), is_last=torch.tensor(last),
        n_strokes=n_strokes, stroke_starts=torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(n_strokes, 0)]),
        ids=np.arange(len(drawings)) if ids is None else np.asarray(ids),
    )


def decode(start: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Control points (k, 2) in motor px from a normalised start and (k-1, 2) offsets."""
    c = np.concatenate([np.asarray(start)[None], np.asarray(offsets).reshape(-1, 2)])
    return denormalise(np.cumsum(c, axis=0))


def spline_drawings(spline_set, indices=None) -> list[list[np.ndarray]]:
    """Control points of the kept drawings ``indices`` (default all) of a SplineSet."""
    indices = range(len(spline_set)) if indices is None else indices
    return [spline_set.splines(int(i)) for i in indices]


@dataclass
class Batch(Strokes):
    """The strokes of some drawings, ready for a model (teacher forcing): :class:`Strokes` with
    ``offsets`` trimmed to the longest stroke and ``drawing`` local (0..n_drawings-1), plus the
    canvases before (``canvas_before``) and after (``canvas_after``) each stroke, (S, 28, 28) in
    [0, 1], or None for models that do not read canvases.
    """

    canvas_before: torch.Tensor | None = None
    canvas_after: torch.Tensor | None = None

    @property
    def n_drawings(self) -> int:
        return len(self.n_strokes)

    def to(self, device) -> "Batch":
        return Batch(**{k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in self.__dict__.items()})


def make_batch(enc: EncodedDrawings, drawings, canvases: torch.Tensor | None = None) -> Batch:
    """Gather drawings (indices into ``enc``) into a :class:`Batch`; ``canvases`` is the cache
    of all partial canvases of ``enc`` in drawing order (:func:`canvases.partial_canvases`)."""
    drawings = torch.as_tensor(drawings, dtype=torch.long)
    s = enc.stroke_index(drawings)
    n_cp = enc.n_cp[s]
    t = max(1, int(n_cp.max()) - 1)
    local = torch.repeat_interleave(torch.arange(len(drawings)), enc.n_strokes[drawings])
    before = after = None
    if canvases is not None:
        c = enc.canvas_starts[enc.drawing[s]] + enc.position[s]
        before, after = canvases[c], canvases[c + 1]
    return Batch(start=enc.start[s], offsets=enc.offsets[s, :t], n_cp=n_cp, prev_point=enc.prev_point[s],
                 drawing=local, position=enc.position[s], is_last=enc.is_last[s],
                 n_strokes=enc.n_strokes[drawings], canvas_before=before, canvas_after=after)


def per_drawing(values: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Sum per-stroke values (S,) into per-drawing values (D,)."""
    return torch.zeros(batch.n_drawings, dtype=values.dtype, device=values.device).index_add(0, batch.drawing, values)
