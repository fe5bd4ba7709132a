"""Snakemake script: Table 3's ordering tested (issue 28): GNS's annealed bound on Table 3's held-out
images against the pixel VAE trained here on the same background drawings, scored by its
importance-weighted bound on the same images and on a larger held-out set, nats per image and per
pixel with intervals over images, and the verdict on "GNS ahead per pixel" by the criterion in
params (:mod:`charchallenge.gns2021.pixel_comparison`)."""

import json

import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.gns2021.likelihood import held_out_images
from charchallenge.gns2021.pixel_comparison import pixel_table, pixel_verdict, score_images, vae_converged
from charchallenge.gns2021.pixel_vae import PixelVAE, downsample
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
pm = run["gns2021"]["pixel_model"]
torch.set_num_threads(smk.threads)
dataset = OmniglotDataset.load(smk.input.dataset)
saved = torch.load(smk.input.model, weights_only=False)
model = PixelVAE(pm["size"] ** 2, pm["hidden"], pm["latent"])
model.load_state_dict(saved["state_dict"])
model.eval()
gns = pd.read_csv(smk.input.per_image)
likelihood = json.loads(open(smk.input.metrics).read())
larger = held_out_images(dataset, run["data"]["background"], pm["n_test"], run["seed"])
vae_same = score_images(model, downsample(dataset.images(gns.drawing.tolist()), pm["size"]), pm["test_samples"],
                        run["seed"])
vae_test = score_images(model, downsample(dataset.images(larger), pm["size"]), pm["test_samples"], run["seed"] + 1)
table = pixel_table(gns, vae_same, vae_test, pm["size"], 105 * 105, pm["verdict"], run["seed"])
converged, rel = vae_converged(saved["history"], pm["convergence"])
gns_evidence = likelihood["annealed"]["verdict"] == "evidence"
verdict = pixel_verdict(gns.annealed_bound.to_numpy() / 105**2, vae_same / pm["size"] ** 2, gns_evidence, converged,
                        pm["verdict"], run["seed"])
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "claim": "GNS ahead per pixel of a pixel model trained on the same drawings (Table 3's ordering)",
    **verdict, "gns_bound_verdict": likelihood["annealed"]["verdict"],
    "vae": {"size": pm["size"], "stopped": saved["stopped"], "steps": saved["steps"], "best_step": saved["best_step"],
            "converged": converged, "best_validation_improvement_last_part": rel,
            "train_seconds": round(saved["train_seconds"], 1), "test_samples": pm["test_samples"]},
    "per_image": [{"drawing": int(d), "gns": float(g), "vae": float(v)}
                  for d, g, v in zip(gns.drawing, gns.annealed_bound, vae_same)],
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(table.to_string(index=False))
print(verdict)
