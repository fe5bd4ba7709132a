"""Snakemake script: the summary table of the paper's claims with our outcome, and metrics.json.

The verdicts come from :mod:`charchallenge.fabi2020.claims` (criteria and thresholds there and in
``params.yaml``, ``fabi2020.claims``), read off the tables the other jobs wrote by
:mod:`charchallenge.fabi2020.claims_table`.
"""

import pandas as pd
import torch

from charchallenge.fabi2020.claims_table import all_claims, claims_rows, job_seconds
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
params = run["fabi2020"]
seeds = params["seeds"]
claims = all_claims(pd.read_csv(smk.input.one_shot_table), pd.read_csv(smk.input.ablation_table),
                    pd.read_csv(smk.input.variants_table), pd.read_csv(smk.input.type_table),
                    pd.read_csv(smk.input.blending_table), pd.read_csv(smk.input.hidden_states_table), seeds,
                    params["claims"])
rows, entries = claims_rows(claims)
write_csv(smk.output.table, pd.DataFrame(rows))


def load(path):
    return torch.load(path, weights_only=False, map_location="cpu")


seconds, device = job_seconds((load(p) for p in list(smk.input.models) + list(smk.input.models_without_ff)),
                              {"one_shot": load(smk.input.one_shot), "type_inference": load(smk.input.type_inference)})
write_json(smk.output.metrics, {
    "claims": entries, "seconds": seconds, "scale": run["scale"],
    "params": {k: params[k] for k in ("alphabet", "shown_drawer", "seeds", "model", "train", "one_shot",
                                      "type_inference")},
    "provenance": provenance(run["scale"], seeds, device)})
print(pd.DataFrame(rows)[["claim", "outcome"]].to_string(index=False))
