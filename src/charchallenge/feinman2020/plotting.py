"""Figure helpers for Feinman & Lake (2020) Figs. 5-8: image grids, stroke-coloured drawings,
and a similarity-preserving grid layout (Fig. 7)."""

from __future__ import annotations

import numpy as np
import torch

from charchallenge.figures import plt
from charchallenge.render import render

from charchallenge.preprocess.splines import drawing_trajectories


def images(drawings, size: int = 105) -> np.ndarray:
    """Rendered ink (N, size, size) of drawings given as control points (no blur)."""
    return render([drawing_trajectories(d) for d in drawings], size=size).numpy()


def image_grid(ax, imgs: np.ndarray, cols: int, title: str | None = None, pad: int = 4) -> None:
    """Tile images (ink = dark) into one panel."""
    n = len(imgs)
    rows = int(np.ceil(n / cols))
    h, w = imgs.shape[1:]
    canvas = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad))
    canvas[:] = 0.35
    for i, im in enumerate(imgs):
        r, c = divmod(i, cols)
        canvas[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = im
    ax.imshow(1 - canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def stroke_colours(ax, drawing, colours) -> None:
    """One drawing with each stroke (its spline trajectory) in its own colour, start dot."""
    for i, t in enumerate(drawing_trajectories(drawing)):
        c = colours[i % len(colours)]
        ax.plot(t[:, 0], t[:, 1], "-", color=c, lw=2, solid_capstyle="round")
        ax.plot(t[0, 0], t[0, 1], "o", color=c, ms=3)
    ax.set_xlim(0, 105)
    ax.set_ylim(-105, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def similarity_grid(features: torch.Tensor, side: int) -> np.ndarray:
    """Order ``side**2`` items on a side x side grid so that neighbours are alike: sort by the
    first principal component into rows, then each row by the second (a rasterised PCA map).
    Returns the item index for each grid cell, row-major."""
    x = features - features.mean(0)
    _, _, v = torch.linalg.svd(x, full_matrices=False)
    pc = (x @ v[:2].T).numpy()
    order = np.argsort(pc[:, 0], kind="stable")
    rows = [order[r * side:(r + 1) * side] for r in range(side)]
    return np.concatenate([row[np.argsort(pc[row, 1], kind="stable")] for row in rows])


def figure(width: float, height: float):
    return plt.figure(figsize=(width, height))
