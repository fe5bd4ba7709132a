"""Snakemake script: one trained model's IWAE estimate of log p(x) (Burda et al. 2016;
``dood2022.iwae.samples`` draws of the recognition model) on the test images of every dataset
(the cells of its row of Fig. 4), and reconstructions of the first test images of each."""

import time

import numpy as np
import pandas as pd
import torch

from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.train import iwae, load_model
from charchallenge.io import save_npz, write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
torch.set_num_threads(smk.threads)
model, saved = load_model(smk.input.model)
rows, recon = [], {}
for target, path in zip(smk.params.targets, smk.input.targets):
    images = load_split(path, "test")[: d["iwae"]["max_images"]]
    torch.manual_seed(saved["seed"])
    start = time.time()
    ll = iwae(model, images, d["iwae"]["samples"]).numpy()
    with torch.no_grad():
        trace = model.infer(images[: d["reconstructions"]])
    recon[f"{target}_images"] = images[: d["reconstructions"]].numpy()
    recon[f"{target}_reconstructions"] = trace.canvas.numpy()
    recon[f"{target}_strokes"] = trace.n_strokes.numpy()
    rows.append({"variant": saved["variant"], "source": saved["dataset"], "seed": saved["seed"], "target": target,
                 "images": len(images), "iwae_samples": d["iwae"]["samples"], "log_likelihood": float(ll.mean()),
                 "log_likelihood_se": float(ll.std(ddof=1) / np.sqrt(len(ll))) if len(ll) > 1 else float("nan"),
                 "seconds": round(time.time() - start, 2)})
    print(f"{saved['variant']} trained on {saved['dataset']} (seed {saved['seed']}) -> {target}: "
          f"IWAE log p(x) {ll.mean():.1f} nats over {len(images)} images")
write_csv(smk.output.scores, pd.DataFrame(rows))
save_npz(smk.output.reconstructions, **recon)
