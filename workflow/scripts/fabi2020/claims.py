"""Snakemake script: the summary table of the paper's claims with our outcome, and metrics.json.

The verdicts come from :mod:`charchallenge.fabi2020.claims` (criteria and thresholds there and in
``params.yaml``, ``fabi2020.claims``); this script only reads the tables the other jobs wrote.
"""

import numpy as np
import pandas as pd
import torch

from charchallenge.fabi2020 import claims as cl
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
params = run["fabi2020"]
cp = params["claims"]
seeds = params["seeds"]
one = pd.read_csv(smk.input.one_shot_table)
abl = pd.read_csv(smk.input.ablation_table)
var = pd.read_csv(smk.input.variants_table)
ti = pd.read_csv(smk.input.type_table)
blend = pd.read_csv(smk.input.blending_table)
states = pd.read_csv(smk.input.hidden_states_table)


def per_seed(row, name):
    return np.array([row[f"{name}_seed{s}"] for s in seeds], dtype=float)


def medians(table, condition):
    row = table[(table.letter == "median") & (table.condition == condition)].iloc[0]
    return {m: per_seed(row, m) for m in cl.MEASURES}


by_sd = var[var.sd.astype(str) != "all"]
first = var.iloc[0]
row_a, row_b = ti[ti.protocol == "a"].iloc[0], ti[ti.protocol == "b"].iloc[0]
claims = [
    cl.trained_beats_untrained(medians(one, "untrained"), medians(one, "one_shot")),
    cl.no_inference_fails(medians(one, "no_inference"), medians(one, "one_shot"), cp["fail_ratio"]),
    cl.variants_new_and_recognisable(
        by_sd.sd.tolist(), np.array([per_seed(r, "mhd_to_regenerated_px") for _, r in by_sd.iterrows()]).T,
        np.array([per_seed(r, "recognised_human") for _, r in by_sd.iterrows()]).T,
        float(first["between_drawer_px"]), float(first["human_recognised"]), cp["variant_novelty_band"],
        cp["variant_min_recognition_ratio"],
        recognised_regeneration=np.array([per_seed(r, "nearest_regeneration_accuracy") for _, r in by_sd.iterrows()]).T,
        from_example_px=np.array([per_seed(r, "novelty_px") for _, r in by_sd.iterrows()]).T),
    cl.type_inference(per_seed(row_a, "correct"), int(row_a["instances_per_seed"]), per_seed(row_b, "accuracy")),
    cl.blends_smooth(np.array([per_seed(r, "smooth_share") for _, r in blend.iterrows()]), cp["blend_min_spearman"],
                     cp["blend_max_jump"], blend["spearman_mean"], blend["max_jump_ratio_mean"]),
    cl.ablation_fails(medians(abl, "ablation"), medians(abl, "one_shot"), cp["fail_ratio"],
                      "input mixture vector of the trained FF network adapted"),
    cl.ablation_fails(medians(abl, "without_ff"), medians(abl, "one_shot"), cp["fail_ratio"],
                      "network trained without FF layer, its input vector adapted", name="without_ff"),
    cl.shared_state_patterns({f"{r['pair']} ({r['states']} states)": per_seed(r, "percentile")
                              for _, r in states.iterrows()}, cp["hidden_state_min_percentile"]),
]
claims = [(c["claim"], c["criterion"], c["numbers"], c["outcome"]) for c in claims]

rows = []
metrics = {"claims": {}}
for i, (claim, criterion, numbers, outcome) in enumerate(claims, 1):
    text = "; ".join(f"{k} {v[0]:.4g} +- {v[1]:.2g}" if isinstance(v, tuple) else
                     f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in numbers.items())
    rows.append({"claim": claim, "criterion": criterion, "measured (mean +- SD over seeds)": text, "outcome": outcome})
    metrics["claims"][f"{i}_{claim.split(':')[0].replace(' ', '_')[:40]}"] = {
        "outcome": outcome,
        **{k: ({"mean": v[0], "sd": v[1]} if isinstance(v, tuple) else v) for k, v in numbers.items()},
    }
write_csv(smk.output.table, pd.DataFrame(rows))

seconds = {}
for path in list(smk.input.models) + list(smk.input.models_without_ff):
    payload = torch.load(path, weights_only=False, map_location="cpu")
    suffix = "_without_ff" if payload["config"]["ff_units"] is None else ""
    seconds[f"train_seed{payload['seed']}{suffix}"] = round(payload["seconds"], 1)
    device = payload["device"]
for key, path in (("one_shot", smk.input.one_shot), ("type_inference", smk.input.type_inference)):
    seconds[key] = round(torch.load(path, weights_only=False, map_location="cpu")["seconds"], 1)
metrics["seconds"] = seconds
metrics["scale"] = run["scale"]
metrics["params"] = {k: params[k] for k in ("alphabet", "shown_drawer", "seeds", "model", "train", "one_shot",
                                             "type_inference")}
metrics["provenance"] = provenance(run["scale"], seeds, device)
write_json(smk.output.metrics, metrics)
print(pd.DataFrame(rows)[["claim", "outcome"]].to_string(index=False))
