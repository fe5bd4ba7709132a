"""Snakemake script: the refit setting of GNS one-shot classification, sized on validation
episodes (Feinman & Lake 2021, Eq. 4-5) - never on the test episodes.

Each validation episode's job (``classify_sizing_run.py``) recorded every test item's outcome for
every refit rate of blur and eps (``sizing.lr_render``), iteration count (``sizing.record_at`` and
the params' own) and number of parses K. Here they are pooled: the error of each setting, its
paired difference to the params' setting with a 95% bootstrap interval over trials, and the choice
(:func:`charchallenge.gns2021.classify.sized_refit`): of the settings at the params' K within
``tolerance`` points of the lowest two-way error, the one with the fewest iterations. The rows
``no_type_prior`` (parse weights without the type term) and ``oracle_parses`` (the drawers' own
strokes as the one parse) are error-budget rows, never chosen.
Caveat: the type model was trained on the background alphabets, these drawings among them, so the
errors are lower than on novel alphabets; the curves' shapes are what the choice uses."""

import numpy as np
import pandas as pd
import torch

from charchallenge.gns2021.classify import sized_refit
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.scoring import paired_difference
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
sz = cp["sizing"]
saved = [torch.load(p, weights_only=False) for p in smk.input.runs]
key = ("variant", "lr_render", "refit_iterations", "k")
per_run = pd.DataFrame([{"run": s["run"], "n_way": s["n_way"], "trials": s["trials"], **{k: c[k] for k in key},
                         "error_two_way": 100 * (1 - np.mean(c["correct_two_way"])),
                         "error_forward": 100 * (1 - np.mean(c["correct_forward"]))}
                        for s in saved for c in s["cells"]])
pooled = {}  # setting -> outcomes of every trial, runs in input order
for s in saved:
    for c in s["cells"]:
        entry = pooled.setdefault(tuple(c[k] for k in key), {"two_way": [], "forward": []})
        entry["two_way"] += c["correct_two_way"]
        entry["forward"] += c["correct_forward"]
base = ("gns", cp["refit"]["lr_render"], cp["refit"]["iterations"], cp["k"])
if base not in pooled:
    raise SystemExit(f"error: the params' refit setting (lr_render, iterations, k) = {base[1:]} is not among the "
                     "sized ones: gns2021.classify.refit.lr_render must be in sizing.lr_render and refit.iterations "
                     "in sizing.record_at")
seconds = {v: sum(s["refit_seconds"][v] for s in saved) for v in saved[0]["refit_seconds"]}  # (variant, rate)
levels = saved[0]["levels"]
curve = []
for setting, outcome in sorted(pooled.items()):
    variant, lr, it, k = setting
    row = dict(zip(key, setting), trials=len(outcome["two_way"]),
               error_two_way=100 * (1 - np.mean(outcome["two_way"])),
               error_forward=100 * (1 - np.mean(outcome["forward"])),
               # the refits ran to the last level; stopping at ``it`` costs about that share of them
               refit_seconds=round(seconds[("gns" if variant == "no_type_prior" else variant, lr)] * it / levels[-1], 1))
    diff = paired_difference(outcome["two_way"], pooled[base]["two_way"], seed=run["seed"])
    row.update({f"two_way_vs_params_{k_}": v for k_, v in diff.items()})
    curve.append(row)
curve = pd.DataFrame(curve)
at_k = curve[(curve.variant == "gns") & (curve.k == cp["k"])]
best = float(at_k.error_two_way.min())
chosen = sized_refit(at_k.to_dict(orient="records"), sz["tolerance"])
at_params = float(at_k.error_two_way[(at_k.lr_render == base[1]) & (at_k.refit_iterations == base[2])].iloc[0])
write_csv(smk.output.per_run, per_run)
write_csv(smk.output.curve, curve)
write_json(smk.output.metrics, {
    "validation_episodes": {"runs": len(saved), "trials": int(at_k.trials.iloc[0]), "n_way": run["oneshot"]["n_way"],
                            "seed": run["seed"] + sz["seed_offset"], "note": "background alphabets: no test alphabet"},
    "lowest_error_two_way": best, "tolerance_points": sz["tolerance"],
    "chosen": {"lr_render": chosen["lr_render"], "refit_iterations": int(chosen["refit_iterations"]),
               "error_two_way": chosen["error_two_way"]},
    "params": {"lr_render": base[1], "refit_iterations": base[2], "k": base[3], "error_two_way": at_params,
               "within_tolerance": bool(at_params <= best + sz["tolerance"])},
    "seconds": {"parse": round(sum(s["parse_seconds"] for s in saved), 1),
                "fit": round(sum(s["fit_seconds"] for s in saved), 1),
                "refit": {f"{v} lr_render {lr}": round(t, 1) for (v, lr), t in seconds.items()}},
    "device": "; ".join(sorted({s["device"] for s in saved})),
    "settings": {"classify": cp, "parsing": run["gns2021"]["parsing"], "fit": run["gns2021"]["fit"]},
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})
print(curve.to_string(index=False))
print(f"validation ({len(saved)} runs): lr_render {chosen['lr_render']} at {chosen['refit_iterations']} refit "
      f"iterations is the cheapest setting within {sz['tolerance']} points of the lowest two-way error ({best:.1f}%); "
      f"the params use lr_render {base[1]} at {base[2]} ({at_params:.1f}%)")
