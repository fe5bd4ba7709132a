"""Drawing trajectories as ink, in the colours of Fabi et al. (2020), Figs. 2-7.

Green: the presented example; blue: the trained model after one-shot (or type) inference; red:
the trained model given the novel one-hot without inference; orange: an untrained model after
one-shot inference. Only ink is drawn: positions are the cumulative sum of (dx, dy) and pen-up
travel is left out (:func:`charchallenge.preprocess.trajectories.trajectory_to_strokes`).
"""

from __future__ import annotations

import numpy as np

from charchallenge.figures import plt
from charchallenge.preprocess.trajectories import trajectory_to_strokes

COLOURS = {"example": "#2ca02c", "one_shot": "#1f77b4", "no_inference": "#d62728",
           "untrained": "#ff7f0e", "ablation": "#9467bd", "variant": "#1f77b4"}

plt.rcParams.update({"font.size": 8, "svg.hashsalt": "fabi2020"})


def draw(ax, trajectory_px: np.ndarray, color: str, lw: float = 1.8, alpha: float = 1.0, zorder: int = 2) -> None:
    """Draw the ink of one trajectory (pixel units) on ``ax``."""
    for stroke in trajectory_to_strokes(trajectory_px):
        if len(stroke) == 1:
            ax.plot(stroke[:, 0], stroke[:, 1], "o", color=color, ms=lw, alpha=alpha, zorder=zorder)
        else:
            ax.plot(stroke[:, 0], stroke[:, 1], "-", color=color, lw=lw, alpha=alpha, zorder=zorder,
                    solid_capstyle="round", solid_joinstyle="round")


def path(trajectory_px: np.ndarray) -> np.ndarray:
    return np.cumsum(np.asarray(trajectory_px, np.float64)[:, :2], axis=0)


def frame(ax, trajectories_px: list[np.ndarray], margin: float = 4.0, min_size: float = 30.0) -> None:
    """Equal-aspect square limits around every given trajectory's path; axes hidden."""
    pts = np.concatenate([path(t) for t in trajectories_px if len(t)]) if trajectories_px else np.zeros((1, 2))
    lo, hi = pts.min(0), pts.max(0)
    centre, size = (lo + hi) / 2, max((hi - lo).max() + 2 * margin, min_size)
    ax.set_xlim(centre[0] - size / 2, centre[0] + size / 2)
    ax.set_ylim(centre[1] - size / 2, centre[1] + size / 2)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def label_steps(ax, trajectory_px: np.ndarray, every: int = 5, color: str = "k") -> None:
    """Annotate the position of every ``every``-th time step (Figs. 6 and 7)."""
    p = path(trajectory_px)
    for t in range(0, len(p), every):
        ax.plot(*p[t], ".", color="0.4", ms=2.5, zorder=3)
        ax.annotate(str(t), p[t], textcoords="offset points", xytext=(2, 2), fontsize=6, color=color, zorder=4)


def figure(n_rows: int, n_cols: int, cell: float = 1.0, **kwargs):
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(max(2.0, n_cols * cell), max(1.5, n_rows * cell)),
                             squeeze=False, **kwargs)
    return fig, axes


def close(fig) -> None:
    plt.close(fig)
