"""Snakemake script: train the prototypical network (Snell et al. 2017) on the background
characters (:mod:`charchallenge.oneshot.protonet`), early-stopped on validation characters;
the model and its learning curve (training loss, validation loss and error per evaluation)."""

import time

import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.fingerprint import workflow_script
from charchallenge.io import save_torch, write_csv
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.protonet import background_samplers, learning_curve, train_protonet
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
pn = run["oneshot"]["protonet"]
torch.set_num_threads(smk.threads)
train_set, val_set = background_samplers(OmniglotDataset.load(smk.input.dataset), run["data"]["background"],
                                         pn["image_size"], pn["rotations"], pn["validation_fraction"], run["seed"])
print(f"prototypical network: {train_set.n_classes} training classes, {val_set.n_classes} validation classes "
      f"({'with' if pn['rotations'] else 'without'} rotations)")
start = time.time()
model, result, curve = train_protonet(train_set, val_set, pn, run["seed"], checkpoint_dir=smk.params.checkpoint_dir,
                                      extra_code=[workflow_script(smk)])
seconds = time.time() - start
history = learning_curve(result.history, curve)
write_csv(smk.output.curve, history)
best = history.loc[history.val_loss.idxmin()]
save_torch(smk.output.model, {
    "state_dict": model.state_dict(), "params": pn, "stopped": result.stopped, "episodes": result.steps,
    "best_episode": result.best_step, "best_val_loss": float(best.val_loss), "best_val_error": float(best.val_error),
    "train_seconds": seconds, "provenance": provenance(run["scale"], run["seed"], "cpu")})
print(f"stopped on {result.stopped} after {result.steps} episodes ({seconds:.0f} s); best validation loss "
      f"{best.val_loss:.3f}, error {100 * best.val_error:.1f}% ({pn['train']['val_way']}-way one-shot) at episode "
      f"{result.best_step}")
