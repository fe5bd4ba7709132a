"""Snakemake script: GNS parses of one episode's images (Feinman & Lake 2021, Sec. 4; Appendix B):
the top ``gns2021.classify.k`` parses of each training and test image, all of them fitted in one
batch for ``fit_iterations`` Adam steps (:func:`charchallenge.gns2021.episode_fit.parse_and_fit`).
Saved for the refits of both directions."""

from pathlib import Path

import numpy as np
import torch

from charchallenge.data.episodes import load_run
from charchallenge.gns2021.episode_fit import parse_and_fit
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
episode = load_run(Path(smk.input.episodes) / smk.wildcards.episode)
images = np.concatenate([episode.train_images(), episode.test_images()]) > 0.5
names = [f"{p.parent.name}/{p.name}" for p in episode.train_paths + episode.test_paths]
type_model = load_type_model(smk.input.type_model, device=g["device"])
fitted, owner, parse_seconds, seconds = parse_and_fit(images, type_model, g, run["seed"],
                                                      [f"{episode.name} {n}" for n in names],
                                                      label=f"GNS parsing of {episode.name}")
save_torch(smk.output[0], {"fitted": fitted.to("cpu"), "owner": owner.tolist(), "n_train": len(episode.train_paths),
                           "labels": episode.labels, "seconds": seconds, "parse_seconds": parse_seconds,
                           "device": device_description(str(type_model.device))})
print(f"{episode.name}: {len(images)} images, {len(owner)} parses; parsed in {parse_seconds:.0f} s, "
      f"fitted in {seconds - parse_seconds:.0f} s")
