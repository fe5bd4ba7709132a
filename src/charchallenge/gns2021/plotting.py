"""Drawing parses the way the GNS paper's figures do (Fig. 3b, A10, A11): each stroke in its own
colour (1st red, 2nd blue, ...), a dot at its start and an arrow for its direction, optionally
over the image in light grey. Motor coordinates (x right, y negative downwards)."""

from __future__ import annotations

import numpy as np

COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive",
           "tab:cyan"]


def draw_strokes(ax, strokes, title: str = "", image=None, fontsize: int = 8, bold: bool = False) -> None:
    """Strokes (trajectories, motor px) in colour on ``ax``, over ``image`` (105x105, ink = 1) if given."""
    if image is not None:
        ax.imshow(np.asarray(image, float), cmap="Greys", vmin=0, vmax=3, extent=(0, 105, -105, 0))
    for j, s in enumerate(strokes):
        c = COLOURS[j % len(COLOURS)]
        ax.plot(s[:, 0], s[:, 1], color=c, lw=2)
        ax.plot(s[0, 0], s[0, 1], "o", color=c, ms=5)
        if len(s) > 3:
            m = len(s) // 2
            ax.annotate("", xy=s[min(m + 2, len(s) - 1)], xytext=s[m], arrowprops=dict(arrowstyle="->", color=c, lw=1.5))
    ax.set_xlim(0, 105)
    ax.set_ylim(-105, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=fontsize, fontweight="bold" if bold else "normal")


def bare(ax) -> None:
    """No ticks on ``ax`` (an image panel)."""
    ax.set_xticks([])
    ax.set_yticks([])


# the two scores of one-shot classification, one panel each (Feinman & Lake 2021, Eq. 4-5)
SCORE_PANELS = (("error_two_way", "two-way score (Eq. 5)"), ("error_forward", "forward score only (Eq. 4)"))


def score_panels(plot, ylabel: str, title: str, legend_fontsize: int, log_x: bool = False):
    """A figure of two panels sharing the error axis, two-way and forward-only error against refit
    iterations: ``plot(ax, key)`` draws the lines of column ``key`` on each. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
    for ax, (key, name) in zip(axes, SCORE_PANELS):
        plot(ax, key)
        if log_x:
            ax.set_xscale("log")
        ax.set_xlabel("refit iterations")
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    axes[0].legend(fontsize=legend_fontsize)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
