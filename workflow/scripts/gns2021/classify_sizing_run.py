"""Snakemake script: one validation episode of the GNS refit sizing (``gns2021.classify.sizing``),
parsed, fitted and refitted at every sized rate and count
(:func:`charchallenge.gns2021.sizing.size_episode`), with the error budget's rows without the type
prior and with the drawers' own strokes. The params' own refit rate and count are not read
(choosing them must not rerun the sizing): they must be among those sized."""

from pathlib import Path

import torch

from charchallenge.data.episodes import load_run
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.sizing import size_episode
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
type_model = load_type_model(smk.input.type_model, device=g["device"])
sized = size_episode(episode, type_model, g, run["seed"], run["preprocess"]["splines"])
save_torch(smk.output[0], {**sized, "device": device_description(str(type_model.device))})
