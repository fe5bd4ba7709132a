"""Snakemake script: train one model variant of ``dood2022.models`` (DooD or AIR) on one dataset
with one seed (:func:`charchallenge.dood2022.train.train_dood`: NVIL on the beta-weighted ELBO,
early stopping on the validation ELBO, checkpoints); the model and its learning curve (training
and validation negative ELBO, strokes per validation image, per evaluation)."""

import time

import pandas as pd
import torch

from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.train import train_dood, variant_settings
from charchallenge.fingerprint import workflow_script
from charchallenge.io import save_torch, write_csv
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
variant, dataset, seed = smk.wildcards.variant, smk.wildcards.dataset, int(smk.wildcards.seed)
torch.set_num_threads(smk.threads)
kind, model_params = variant_settings(d, variant, dataset)
train_images, val_images = load_split(smk.input.data, "train"), load_split(smk.input.data, "val")
print(f"{variant} ({kind}) on {dataset}, seed {seed}: {len(train_images)} training, {len(val_images)} validation "
      f"images; settings {model_params}")
start = time.time()
model, result, strokes = train_dood(train_images, val_images, model_params, d["train"], seed,
                                    checkpoint_dir=smk.params.checkpoint_dir, kind=kind,
                                    extra_code=[workflow_script(smk)])
seconds = time.time() - start
history = pd.DataFrame(result.history)
counts = [s["val_strokes"] for s in strokes]  # this call's evaluations (a resumed run lacks the earlier ones)
history["val_strokes"] = [float("nan")] * (len(history) - len(counts)) + counts
write_csv(smk.output.curve, history[["step", "train_loss", "val_loss", "val_strokes"]])
save_torch(smk.output.model, {
    "kind": kind, "variant": variant, "dataset": dataset, "seed": seed, "model_params": model_params,
    "image_size": d["image_size"], "state_dict": model.state_dict(), "stopped": result.stopped,
    "steps": result.steps, "best_step": result.best_step, "train_seconds": seconds,
    "provenance": provenance(run["scale"], seed, "cpu")})
best = history.val_loss.min() if len(history) else float("nan")
print(f"stopped on {result.stopped} after {result.steps} steps ({seconds:.0f} s); best validation -ELBO "
      f"{best:.1f} nats at step {result.best_step}")
