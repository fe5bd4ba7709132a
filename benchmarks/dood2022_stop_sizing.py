"""Size DooD's beta (params dood2022.train.beta) on the Omniglot validation images, never the test
images: for each beta, train DooD at the quick settings (seed 0) and print, on the validation
drawings (background alphabets held out for early stopping), the mean stroke count per image,
its Spearman correlation with the drawers' own counts (the criteria of params dood2022.strokes)
and the mean ELBO with the count forced to n = 0..max (which count the objective prefers).

    python benchmarks/dood2022_stop_sizing.py [steps] [beta ...]

Needs data/processed/dood2022/quick/omniglot.npz and data/processed/omniglot_<background>.npz
(snakemake data/processed/dood2022/quick/omniglot.npz). About 17 min per beta at 6,000 steps on
one core of the 2-core CPU; run betas in parallel processes to use both.
"""

import sys

import numpy as np
import torch

from charchallenge.config import load
from charchallenge.data.dataset import OmniglotDataset
from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.strokes import count_agreement, drawer_stroke_counts, forced_count_elbo, model_stroke_counts
from charchallenge.dood2022.train import train_dood, variant_settings

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
betas = [float(b) for b in sys.argv[2:]] or [1.0, 2.0, 3.0, 4.0]
torch.set_num_threads(1)
params = load(overrides={"scale": "quick"})
d = params["dood2022"]
data = "data/processed/dood2022/quick/omniglot.npz"
train, val = load_split(data, "train"), load_split(data, "val")
with np.load(data) as z:
    drawers = drawer_stroke_counts(OmniglotDataset.load(f"data/processed/omniglot_{params['data']['background']}.npz"),
                                   z["val_labels"])
kind, settings = variant_settings(d, "dood", "omniglot")
for beta in betas:
    model, result, _ = train_dood(train, val, settings, {**d["train"], "beta": beta, "max_steps": steps}, seed=0,
                                  kind=kind, progress=False)
    agreement = count_agreement(model_stroke_counts(model, val, 5, 0), drawers, 1000, 0)
    forced = forced_count_elbo(model, val, 3, 0).mean(1)
    print(f"beta {beta}: {result.steps} steps, {agreement['model_mean']:.2f} strokes per validation image "
          f"(drawers {agreement['drawer_mean']:.2f}), Spearman {agreement['spearman']:.3f} "
          f"[{agreement['spearman_low']:.3f}, {agreement['spearman_high']:.3f}]; ELBO with n strokes forced, "
          f"n = 0..{len(forced) - 1}: " + " ".join(f"{v:.0f}" for v in forced), flush=True)
