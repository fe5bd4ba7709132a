"""Snakemake script: the summary table of the paper's claims with our outcome, and metrics.json.

Each verdict is decided from the measured numbers (thresholds in ``fabi2020.claims``):

1. trained beats untrained after one-shot inference: median MSE and median MHD over letters of
   the trained model (blue) below the untrained model's (orange) - "holds" for every seed, "partly"
   if only for some seeds or one measure, else "does not hold".
2. the red outputs do not match: the no-inference medians are at least ``fail_ratio`` times the
   one-shot medians (both measures) - every seed holds, some partly.
3. variants stay recognisable: nearest-regeneration accuracy of the noise variants (all SDs)
   >= ``variant_min_accuracy`` holds, >= half of it partly.
4. 12 of 13 under protocol (a): mean correct share >= 12/13 holds, > 1/2 partly.
5. blends change smoothly: share of (pair, seed) blends that are smooth >= 0.8 holds, >= 0.5 partly.
6. the ablation fails: ablation medians >= ``fail_ratio`` times one-shot medians (both measures)
   for every seed holds; worse but below the ratio, or only for some seeds, partly.
"""

import numpy as np
import pandas as pd
import torch

from charchallenge.fabi2020.pipeline import mean_sd
from charchallenge.io import write_csv, write_json
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

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


def medians(table, condition, measure):
    row = table[(table.letter == "median") & (table.condition == condition)].iloc[0]
    return np.array([row[f"{measure}_seed{s}"] for s in seeds], dtype=float)


def verdict(all_ok, some_ok):
    return "holds" if all_ok else ("partly" if some_ok else "does not hold")


def ratio_claim(table, worse, better):
    numbers, checks = {}, []
    for measure in ("mse", "mhd_px"):
        w, b = medians(table, worse, measure), medians(table, better, measure)
        ratio = w / np.maximum(b, 1e-12)
        numbers[f"{worse}_median_{measure}"] = mean_sd(w)
        numbers[f"{better}_median_{measure}"] = mean_sd(b)
        numbers[f"ratio_{measure}"] = mean_sd(ratio)
        checks.append(ratio)
    checks = np.array(checks)  # (measure, seed)
    return numbers, checks


claims = []
# 1
n1, r1 = ratio_claim(one, "untrained", "one_shot")
claims.append(("trained beats untrained after one-shot inference",
               "median MSE and MHD over novel letters: untrained > trained, every seed",
               n1, verdict((r1 > 1).all(), (r1 > 1).any())))
# 2
n2, r2 = ratio_claim(one, "no_inference", "one_shot")
claims.append(("the red outputs (no inference) do not match",
               f"no-inference medians >= {cp['fail_ratio']} x one-shot medians, every seed and measure",
               n2, verdict((r2 >= cp["fail_ratio"]).all(), (r2 >= cp["fail_ratio"]).any())))
# 3
row = var[var.sd.astype(str) == "all"].iloc[0]
acc = np.array([row[f"nearest_regeneration_accuracy_seed{s}"] for s in seeds])
n3 = {"nearest_regeneration_accuracy": mean_sd(acc),
      "mhd_to_regenerated_px": (float(row["mhd_to_regenerated_px_mean"]), float(row["mhd_to_regenerated_px_sd"]))}
claims.append(("generated variants stay recognisable",
               f"nearest-regeneration accuracy of all variants >= {cp['variant_min_accuracy']}",
               n3, verdict(acc.mean() >= cp["variant_min_accuracy"], acc.mean() >= cp["variant_min_accuracy"] / 2)))
# 4
row = ti[ti.protocol == "a"].iloc[0]
n_inst = int(row["instances_per_seed"])
correct = np.array([row[f"correct_seed{s}"] for s in seeds], dtype=float)
rowb = ti[ti.protocol == "b"].iloc[0]
n4 = {"protocol_a_correct": mean_sd(correct), "protocol_a_instances": n_inst,
      "protocol_a_accuracy": mean_sd(correct / n_inst),
      "protocol_b_accuracy": (float(rowb["accuracy_mean"]), float(rowb["accuracy_sd"]))}
claims.append(("type inference: 12 of 13 variants correct under protocol (a)",
               "mean correct share >= 12/13", n4,
               verdict((correct / n_inst).mean() >= 12 / 13, (correct / n_inst).mean() > 0.5)))
# 5
smooth = np.array([[r[f"smooth_share_seed{s}"] for s in seeds] for _, r in blend.iterrows()])
n5 = {"smooth_share": mean_sd(smooth.mean(0)), "spearman": mean_sd(blend["spearman_mean"]),
      "max_jump_ratio": mean_sd(blend["max_jump_ratio_mean"])}
claims.append(("blends change smoothly",
               f"share of blends with Spearman >= {cp['blend_min_spearman']} and max jump <= {cp['blend_max_jump']}"
               " of the end-to-end MHD: >= 0.8", n5,
               verdict(smooth.mean() >= 0.8, smooth.mean() >= 0.5)))
# 6
n6, r6 = ratio_claim(abl, "ablation", "one_shot")
claims.append(("the ablation (input mixture vector instead of FF weights) fails",
               f"ablation medians >= {cp['fail_ratio']} x one-shot medians, every seed and measure", n6,
               verdict((r6 >= cp["fail_ratio"]).all(), (r6 > 1).any())))

rows = []
metrics = {"claims": {}}
for i, (claim, criterion, numbers, outcome) in enumerate(claims, 1):
    text = "; ".join(f"{k} {v[0]:.4g} +- {v[1]:.2g}" if isinstance(v, tuple) else f"{k} {v}" for k, v in numbers.items())
    rows.append({"claim": claim, "criterion": criterion, "measured (mean +- SD over seeds)": text, "outcome": outcome})
    metrics["claims"][f"{i}_{claim.split(':')[0].replace(' ', '_')[:40]}"] = {
        "outcome": outcome,
        **{k: ({"mean": v[0], "sd": v[1]} if isinstance(v, tuple) else v) for k, v in numbers.items()},
    }
write_csv(smk.output.table, pd.DataFrame(rows))

seconds = {}
for path in smk.input.models:
    payload = torch.load(path, weights_only=False, map_location="cpu")
    seconds[f"train_seed{payload['seed']}"] = round(payload["seconds"], 1)
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
