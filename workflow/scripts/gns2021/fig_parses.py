"""Snakemake script: Fig. 3b / A11 - held-out images, their human parse and the GNS top parse.

Each parse is drawn stroke by stroke in colours (1st red, 2nd blue, ...), a dot at each stroke's
start and an arrow for its direction, as in the paper's parse figures; the title gives the
stroke counts and the type log-probability (pixel units) of the GNS parse.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.preprocess.splines import spline_to_trajectory  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
shown = torch.load(smk.input.examples, weights_only=False)["shown"]
COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive",
           "tab:cyan"]


def draw(ax, strokes, title):
    for j, s in enumerate(strokes):
        c = COLOURS[j % len(COLOURS)]
        ax.plot(s[:, 0], s[:, 1], color=c, lw=2)
        ax.plot(s[0, 0], s[0, 1], "o", color=c, ms=5)
        if len(s) > 3:
            m = len(s) // 2
            ax.annotate("", xy=s[min(m + 2, len(s) - 1)], xytext=s[m],
                        arrowprops=dict(arrowstyle="->", color=c, lw=1.5))
    ax.set_xlim(0, 105)
    ax.set_ylim(-105, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


cols = 3
fig, axes = plt.subplots(len(shown), cols, figsize=(2.4 * cols, 2.4 * len(shown)), squeeze=False)
for r, ex in enumerate(shown):
    axes[r, 0].imshow(ex["image"], cmap="gray_r", extent=(0, 105, -105, 0))
    axes[r, 0].set_xticks([])
    axes[r, 0].set_yticks([])
    axes[r, 0].set_title(f"drawing {ex['drawing']}", fontsize=8)
    draw(axes[r, 1], ex["human"], f"human ({len(ex['human'])} strokes)")
    gns = [spline_to_trajectory(np.asarray(cp)) for cp in ex["gns"]]
    draw(axes[r, 2], gns, f"GNS top parse ({len(gns)} strokes)\nlog P(type) = {ex['type_log_prob']:.0f}")
fig.suptitle("GNS parses of held-out images (Fig. 3b / A11 layout)", fontsize=10)
fig.tight_layout()
save_figure(fig, smk.output[0])
