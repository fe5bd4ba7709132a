"""Snakemake script: the pixel model Table 3's ordering is tested against (issue 28): a Bernoulli VAE
trained on the background drawings at ``gns2021.pixel_model.size`` pixels a side, early-stopped on
a validation share of them (:func:`charchallenge.gns2021.pixel_comparison.train_pixel_vae`); the
model and its learning curve."""

import time

import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.fingerprint import workflow_script
from charchallenge.gns2021.pixel_comparison import background_split, train_pixel_vae
from charchallenge.io import save_torch, write_csv
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
pm = run["gns2021"]["pixel_model"]
torch.set_num_threads(smk.threads)
train_x, val_x = background_split(OmniglotDataset.load(smk.input.dataset), run["data"]["background"], pm["size"],
                                  pm["validation_fraction"], run["seed"])
print(f"pixel VAE: {len(train_x)} training and {len(val_x)} validation drawings at {pm['size']}x{pm['size']}")
start = time.time()
model, result = train_pixel_vae(train_x, val_x, pm, run["seed"], checkpoint_dir=smk.params.checkpoint_dir,
                                extra_code=[workflow_script(smk)])
seconds = time.time() - start
write_csv(smk.output.curve, pd.DataFrame(result.history))
save_torch(smk.output.model, {"state_dict": model.state_dict(), "params": pm, "stopped": result.stopped,
                              "steps": result.steps, "best_step": result.best_step, "history": result.history,
                              "train_seconds": seconds, "provenance": provenance(run["scale"], run["seed"], "cpu")})
best = min(h["val_loss"] for h in result.history)
print(f"stopped on {result.stopped} after {result.steps} steps ({seconds:.0f} s); best validation bound "
      f"{-best:.2f} nats per image at step {result.best_step}")
