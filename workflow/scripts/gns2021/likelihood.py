"""Snakemake script: GNS marginal image likelihood, Table 3 (Feinman & Lake 2021, Appendix D): the
Laplace estimate (Eq. 10-12), the annealed importance-sampled bound beside it, their verdicts, and
the fit's loss per iteration (:mod:`charchallenge.gns2021.likelihood`)."""

import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.gns2021.likelihood import held_out_images, marginal_likelihood
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
chosen = held_out_images(dataset, run["data"]["background"], g["likelihood"]["n_images"], run["seed"])
type_model = load_type_model(smk.input.type_model, device=g["device"])
out = marginal_likelihood(dataset, chosen, type_model, g, run["seed"], run["scale"])
write_csv(smk.output.table3, out["table3"])
write_csv(smk.output.per_image, out["per_image"])
write_csv(smk.output.per_parse, out["per_parse"])
write_csv(smk.output.curve, out["curve"])
write_json(smk.output.metrics, {**out["metrics"],
                                "provenance": provenance(run["scale"], run["seed"], str(type_model.device))})
print(out["table3"].to_string(index=False))
print(out["per_image"].to_string(index=False))
