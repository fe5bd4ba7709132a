"""Pen trajectories for the Fabi et al. (2020) generator: (dx, dy, pen, onset) per time step.

Fabi et al. (ICANN 2020, section 2) feed their LSTM with trajectories "with two positional
features that indicated the relative change in position in x and y direction, one feature
representing the pressure with which the character was written and one representing the
onset of a stroke". We build the same four features from Omniglot strokes:

* Every stroke is resampled uniformly in space with spacing ``step`` (pixels), so one time
  step is one ``step`` of pen travel whatever the drawer's speed.
* Between strokes the pen travels in the air, in a straight line from the end of one stroke
  to the start of the next, resampled with the same spacing (as a tablet that tracks a
  hovering pen would record it).
* ``dx, dy``: displacement from the previous time step's position, in motor units (x right,
  y up; see :mod:`charchallenge.coords`). The first step has zero displacement: drawings are
  generated relative to their first point.
* ``pen``: Omniglot records no pressure, so the third feature is **pen-down (1) versus
  pen-up travel (0)** for the segment that ends at this step. It says where ink is drawn.
* ``onset``: 1 at the first point of each stroke, else 0. It says where a new stroke starts.

The drawn ink is recovered by cumulative summation and cutting at steps with pen = 0
(:func:`trajectory_to_strokes`). Normalisation statistics (mean and SD of dx and dy over all
steps of the training data) are stored beside the artifact; pen and onset stay 0/1.
"""

from __future__ import annotations

import numpy as np

from ..io import save_npz
from .splines import resample_uniform

FEATURES = ("dx", "dy", "pen", "onset")


def drawing_to_trajectory(strokes: list[np.ndarray], step: float) -> np.ndarray:
    """Trajectory (T, 4) of one drawing given its strokes ((n, >=2) arrays in motor space)."""
    positions: list[np.ndarray] = []
    pen: list[np.ndarray] = []
    onset: list[np.ndarray] = []
    previous_end = None
    for stroke in strokes:
        ink = resample_uniform(np.asarray(stroke, dtype=np.float64)[:, :2], step=step)
        if previous_end is not None:
            travel = resample_uniform(np.stack([previous_end, ink[0]]), step=step)[1:-1]
            positions.append(travel)
            pen.append(np.zeros(len(travel)))
            onset.append(np.zeros(len(travel)))
        positions.append(ink)
        stroke_pen = np.ones(len(ink))
        stroke_pen[0] = 0.0  # the segment arriving at a stroke's first point is travel
        pen.append(stroke_pen)
        stroke_onset = np.zeros(len(ink))
        stroke_onset[0] = 1.0
        onset.append(stroke_onset)
        previous_end = ink[-1]
    xy = np.concatenate(positions)
    deltas = np.diff(xy, axis=0, prepend=xy[:1])
    return np.column_stack([deltas, np.concatenate(pen), np.concatenate(onset)])


def trajectory_to_strokes(trajectory: np.ndarray, pen_threshold: float = 0.5,
                          onset_threshold: float = 0.5, origin=(0.0, 0.0)) -> list[np.ndarray]:
    """Ink strokes ((n, 2) motor-space arrays) drawn by a (T, 4) trajectory.

    Positions are the cumulative sum of (dx, dy) from ``origin``. A step whose pen value
    exceeds ``pen_threshold`` draws a segment from the previous position; a step with onset
    above ``onset_threshold`` or after a pen-up segment starts a new stroke. Pen-up travel is
    never drawn. Works on generated (real-valued) trajectories as well as data.
    """
    trajectory = np.asarray(trajectory, dtype=np.float64)
    xy = np.cumsum(trajectory[:, :2], axis=0) + np.asarray(origin, dtype=np.float64)
    down = trajectory[:, 2] > pen_threshold
    starts = trajectory[:, 3] > onset_threshold
    strokes: list[list[np.ndarray]] = []
    current: list[np.ndarray] = []
    for t in range(len(xy)):
        if down[t] and t > 0 and not starts[t]:
            if not current:
                current.append(xy[t - 1])
            current.append(xy[t])
            continue
        if len(current) > 0:
            strokes.append(current)
        current = [xy[t]] if starts[t] else []
    if current:
        strokes.append(current)
    return [np.asarray(s) for s in strokes]


def normalisation_stats(trajectories: list[np.ndarray]) -> dict[str, list[float]]:
    """Mean and SD per feature over every step; pen and onset are left unscaled (mean 0, SD 1)."""
    steps = np.concatenate(trajectories)
    mean = np.zeros(4)
    std = np.ones(4)
    mean[:2] = steps[:, :2].mean(axis=0)
    std[:2] = steps[:, :2].std(axis=0)
    return {"features": list(FEATURES), "mean": mean.tolist(), "std": std.tolist()}


class TrajectorySet:
    """Trajectories of every drawing of a background set, as saved by the pipeline.

    ``steps`` (N, 4) float32 concatenated trajectories; ``starts`` (D+1,) offsets; per drawing
    ``alphabet`` (names), ``character`` and ``drawer`` (1-based, as in the Omniglot folders);
    ``mean``/``std`` (4,) normalisation statistics; ``step`` the resampling step in px.
    """

    def __init__(self, steps, starts, alphabet, character, drawer, mean, std, step):
        self.steps, self.starts = steps, starts
        self.alphabet, self.character, self.drawer = alphabet, character, drawer
        self.mean, self.std, self.step = mean, std, float(step)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def trajectory(self, i: int) -> np.ndarray:
        return self.steps[self.starts[i] : self.starts[i + 1]]

    def index(self, alphabet: str, character: int, drawer: int) -> int:
        hits = np.flatnonzero((self.alphabet == alphabet) & (self.character == character) & (self.drawer == drawer))
        if len(hits) != 1:
            raise KeyError(f"no trajectory for {alphabet} character {character} drawer {drawer}")
        return int(hits[0])

    def normalise(self, trajectory: np.ndarray) -> np.ndarray:
        return (trajectory - self.mean) / self.std

    def denormalise(self, trajectory: np.ndarray) -> np.ndarray:
        return trajectory * self.std + self.mean

    @classmethod
    def from_dataset(cls, dataset, step: float) -> "TrajectorySet":
        trajectories = [drawing_to_trajectory(dataset.strokes(i), step) for i in range(len(dataset))]
        stats = normalisation_stats(trajectories)
        return cls(
            steps=np.concatenate(trajectories).astype(np.float32),
            starts=np.concatenate([[0], np.cumsum([len(t) for t in trajectories])]).astype(np.int64),
            alphabet=dataset.alphabet_of(), character=dataset.character.astype(np.int64),
            drawer=dataset.drawer.astype(np.int64),
            mean=np.asarray(stats["mean"], dtype=np.float32), std=np.asarray(stats["std"], dtype=np.float32),
            step=step,
        )

    def save(self, path) -> None:
        save_npz(path, steps=self.steps, starts=self.starts, alphabet=self.alphabet, character=self.character,
                 drawer=self.drawer, mean=self.mean, std=self.std, step=np.float64(self.step))

    @classmethod
    def load(cls, path) -> "TrajectorySet":
        with np.load(path, allow_pickle=False) as f:
            return cls(**{k: f[k] for k in ("steps", "starts", "alphabet", "character", "drawer", "mean", "std")},
                       step=float(f["step"]))
