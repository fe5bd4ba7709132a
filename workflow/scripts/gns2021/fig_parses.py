"""Snakemake script: Fig. 3b / A11 - held-out images, their human parse and the GNS top parse.

Each parse is drawn stroke by stroke in colours (1st red, 2nd blue, ...), a dot at each stroke's
start and an arrow for its direction, as in the paper's parse figures; the title gives the
stroke counts and the type log-probability (pixel units) of the GNS parse.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.gns2021.plotting import bare, draw_strokes  # noqa: E402
from charchallenge.preprocess.splines import drawing_trajectories  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
shown = torch.load(smk.input.examples, weights_only=False)["shown"]
cols = 3
fig, axes = plt.subplots(len(shown), cols, figsize=(2.4 * cols, 2.4 * len(shown)), squeeze=False)
for r, ex in enumerate(shown):
    axes[r, 0].imshow(ex["image"], cmap="gray_r", extent=(0, 105, -105, 0))
    bare(axes[r, 0])
    axes[r, 0].set_title(f"drawing {ex['drawing']}", fontsize=8)
    draw_strokes(axes[r, 1], ex["human"], f"human ({len(ex['human'])} strokes)")
    gns = drawing_trajectories(ex["gns"])
    draw_strokes(axes[r, 2], gns, f"GNS top parse ({len(gns)} strokes)\nlog P(type) = {ex['type_log_prob']:.0f}")
fig.suptitle("GNS parses of held-out images (Fig. 3b / A11 layout)", fontsize=10)
fig.tight_layout()
save_figure(fig, smk.output[0])
