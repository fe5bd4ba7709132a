"""Snakemake script: one validation episode of the GNS refit screening (``gns2021.classify.screening``),
parsed, fitted and every pair of both directions refitted for ``check_at`` iterations, the scores
kept at every screen count (:func:`charchallenge.gns2021.screening.screen_episode`)."""

from pathlib import Path

import torch

from charchallenge.data.episodes import load_run
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.screening import screen_episode
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
screened = screen_episode(episode, type_model, g, run["seed"])
save_torch(smk.output[0], {**screened, "fitted": screened["fitted"].to("cpu"),
                           "device": device_description(str(type_model.device))})
