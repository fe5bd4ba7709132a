"""Snakemake script: Table 1 (average test NLL per character, 3 models x 7 tasks) with the paper's
numbers in adjacent columns, whether each run converged, and the claims table
(:mod:`charchallenge.feinman2020.claims`: verdicts "holds" / "does not hold" / "not evidence").

Per task, the grid configuration is the one with the lowest mean *validation* NLL over the
splits (validation: training characters set aside); test NLLs are read only for the table.
"""

import json
from collections import defaultdict

import numpy as np
import pandas as pd

from charchallenge.feinman2020.claims import MODELS, convergence, table1_claims
from charchallenge.feinman2020.splits import SMALL1, SMALL2_ONLY
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
fl = run["feinman2020"]
criterion = fl["convergence"]

PAPER = {  # Table 1 of Feinman & Lake (2020)
    "full_ns": [13.77, 14.18, 17.53, 12.35, 12.59, 12.57, 19.51],
    "hierarchical_lstm": [14.37, 14.56, 17.71, 12.24, 12.80, 12.51, 20.16],
    "baseline_lstm": [14.32, 14.42, 17.71, 12.20, 12.77, 12.39, 19.66],
}
COLUMNS = ["alphabet1", "alphabet2", "alphabet3", "character1", "character2", "character3", "holdout"]

runs = [json.load(open(p)) for p in smk.input.runs]
holdouts = {r["model"]: r for r in (json.load(open(p)) for p in smk.input.holdouts)}

table, converged, status, selected, seconds = {}, {}, {}, {}, defaultdict(float)
for m in MODELS:
    table[m], converged[m], status[m] = {}, {}, {}
    for task in ("alphabet", "character"):
        mine = [r for r in runs if r["model"] == m and r["task"] == task]
        by_config = defaultdict(dict)
        for r in mine:
            by_config[r["config"]][r["split"]] = r
            seconds[m] += r["seconds_train"] + r["seconds_eval"]
        val = {c: float(np.mean([r["validation_nll_best"] for r in v.values()])) for c, v in by_config.items()}
        best = min(val, key=lambda c: (val[c], c))
        selected[f"{m}/{task}"] = {"config": best, "by": "mean best validation NLL over splits",
                                   "mean_validation_nll": {str(c): v for c, v in sorted(val.items())}}
        for s, r in sorted(by_config[best].items()):
            table[m][f"{task}{s}"] = r["test_nll_mean"]
            status[m][f"{task}{s}"] = convergence(r, criterion)
    h = holdouts[m]
    table[m]["holdout"] = h["test_nll_mean"]
    status[m]["holdout"] = convergence(h, criterion)
    seconds[m] += h["seconds_train"] + h["seconds_eval"]
    selected[f"{m}/holdout"] = {"config": h["config"], **h["selection"]}
    converged[m] = {c: s["converged"] for c, s in status[m].items()}

rounded = lambda v: None if v is None else round(float(v), 2)  # noqa: E731
rows = []
for m in MODELS:
    row = {"model": LABELS[m]}
    for i, c in enumerate(COLUMNS):
        row[c] = rounded(table[m].get(c))
        row[f"paper_{c}"] = PAPER[m][i]
    rows.append(row)
first = {c: LABELS[min(MODELS, key=lambda m: table[m].get(c, np.inf))] for c in COLUMNS}
paper_first = {c: LABELS[min(MODELS, key=lambda m: PAPER[m][i])] for i, c in enumerate(COLUMNS)}
rows.append({"model": "best (this run / paper)", **{c: first[c] for c in COLUMNS},
             **{f"paper_{c}": paper_first[c] for c in COLUMNS}})
for m in MODELS:
    rows.append({"model": f"{LABELS[m]}: epochs (stopped on)",
                 **{c: f"{status[m][c]['epochs']:g} ({status[m][c]['stopped']}"
                       f"{'' if status[m][c]['converged'] else ', still improving'})" for c in COLUMNS}})
frame = pd.DataFrame(rows)[["model"] + [x for c in COLUMNS for x in (c, f"paper_{c}")]]
write_csv(smk.output.table, frame)

claims, ttest = table1_claims(table, converged, holdouts, fl["claims"]["alpha"], paper=PAPER)
write_csv(smk.output.claims, pd.DataFrame(claims)[["claim", "criterion", "paper", "measured", "verdict"]])

background = run["data"]["background"]
holdout_desc = (f"offline holdout: train on the {len(SMALL1)} alphabets of small1 ({', '.join(SMALL1)}), test on the "
                f"alphabets only in small2 ({', '.join(SMALL2_ONLY)}); n_test = {len(holdouts['full_ns']['test_ids'])} "
                "drawings" if background == "small" else "background/evaluation holdout")
metrics = {
    "table1_nll_nats_per_character": {LABELS[m]: table[m] for m in MODELS},
    "paper_table1": {LABELS[m]: dict(zip(COLUMNS, PAPER[m])) for m in MODELS},
    "best_model": first, "paper_best_model": paper_first,
    "claims": {f"{i}": {k: r[k] for k in ("claim", "criterion", "measured", "verdict")}
               for i, r in enumerate(claims, 1)},
    "holdout_ttest": ttest, "holdout": holdout_desc, "selected_configs": selected,
    "convergence": {LABELS[m]: status[m] for m in MODELS}, "convergence_criterion": criterion,
    "all_runs_converged": bool(all(converged[m][c] for m in MODELS for c in COLUMNS)),
    "units": "nats per character (drawing); coordinates normalised as (p - (50, -50)) / 20 for starts and offsets",
    "compute_seconds": {LABELS[m]: round(v, 1) for m, v in seconds.items()},
    "compute_seconds_total": round(sum(seconds.values()), 1),
    "provenance": provenance(run["scale"], run["seed"], holdouts["full_ns"]["provenance"]["device"].split(":")[0]),
}
write_json(smk.output.metrics, metrics)
print(frame.to_string(index=False))
print(pd.DataFrame(claims)[["claim", "verdict"]].to_string(index=False))
