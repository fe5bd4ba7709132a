"""Snakemake script: Table 1 (average test NLL per character, 3 models x 7 tasks), the paper's
numbers in adjacent columns, the paired t-test on the holdout, rankings and timings."""

import json
from collections import defaultdict

import numpy as np
import pandas as pd
from scipy import stats

from charchallenge.feinman2020.splits import SMALL1, SMALL2_ONLY
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import write_csv, write_json
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run

PAPER = {  # Table 1 of Feinman & Lake (2020)
    "full_ns": [13.77, 14.18, 17.53, 12.35, 12.59, 12.57, 19.51],
    "hierarchical_lstm": [14.37, 14.56, 17.71, 12.24, 12.80, 12.51, 20.16],
    "baseline_lstm": [14.32, 14.42, 17.71, 12.20, 12.77, 12.39, 19.66],
}
PAPER_T = {"t": 3.094, "df": 5531, "p": "< 0.002", "next_best": "baseline_lstm"}
COLUMNS = ["alphabet1", "alphabet2", "alphabet3", "character1", "character2", "character3", "holdout"]

runs = [json.load(open(p)) for p in smk.input.runs]
holdouts = {r["model"]: r for r in (json.load(open(p)) for p in smk.input.holdouts)}
models = list(PAPER)

table, selected, seconds = {}, {}, defaultdict(float)
for m in models:
    row = {}
    for task in ("alphabet", "character"):
        mine = [r for r in runs if r["model"] == m and r["task"] == task]
        by_config = defaultdict(dict)
        for r in mine:
            by_config[r["config"]][r["split"]] = r["test_nll_mean"]
            seconds[m] += r["seconds_train"] + r["seconds_eval"]
        best = min(by_config, key=lambda c: (np.mean(list(by_config[c].values())), c))
        selected[f"{m}/{task}"] = {"config": best, "mean_validation_nll": {str(c): float(np.mean(list(v.values())))
                                                                          for c, v in sorted(by_config.items())}}
        for s, v in sorted(by_config[best].items()):
            row[f"{task}{s}"] = v
    row["holdout"] = holdouts[m]["test_nll_mean"]
    seconds[m] += holdouts[m]["seconds_train"] + holdouts[m]["seconds_eval"]
    selected[f"{m}/holdout"] = {"config": holdouts[m]["config"], "from": "alphabet splits"}
    table[m] = row

rounded = lambda v: None if v is None else round(float(v), 2)  # noqa: E731
frame = pd.DataFrame([{"model": LABELS[m], **{c: rounded(table[m].get(c)) for c in COLUMNS},
                       **{f"paper_{c}": PAPER[m][i] for i, c in enumerate(COLUMNS)}} for m in models])
frame = frame[["model"] + [x for c in COLUMNS for x in (c, f"paper_{c}")]]

first = {c: LABELS[min(models, key=lambda m: table[m].get(c, np.inf))] for c in COLUMNS}
paper_first = {c: LABELS[min(models, key=lambda m: PAPER[m][i])] for i, c in enumerate(COLUMNS)}
ranks_row = {"model": "best (this run / paper)", **{c: first[c] for c in COLUMNS}, **{f"paper_{c}": paper_first[c] for c in COLUMNS}}
write_csv(smk.output.table, pd.concat([frame, pd.DataFrame([ranks_row])], ignore_index=True))

# Paired t-test of Full NS against the next best model on the holdout (per test drawing).
others = [m for m in models if m != "full_ns"]
next_best = min(others, key=lambda m: holdouts[m]["test_nll_mean"])
a, b = holdouts["full_ns"], holdouts[next_best]
assert a["test_ids"] == b["test_ids"], "holdout test drawings differ between models"
diff = np.asarray(b["test_nll"]) - np.asarray(a["test_nll"])
t = stats.ttest_rel(b["test_nll"], a["test_nll"])
ttest = {"full_ns_vs": next_best, "t": float(t.statistic), "df": int(len(diff) - 1), "p": float(t.pvalue),
         "mean_difference_nats": float(diff.mean()), "positive_t_means": "Full NS has the lower loss", "paper": PAPER_T}

alphabet_cols = ["alphabet1", "alphabet2", "alphabet3"]
ordering = {
    "full_ns_best_on_alphabet_splits": [first[c] == "Full NS" for c in alphabet_cols],
    "full_ns_best_on_holdout": first["holdout"] == "Full NS",
}
ordering["paper_ordering_holds"] = bool(all(ordering["full_ns_best_on_alphabet_splits"]) and ordering["full_ns_best_on_holdout"])

background = run["data"]["background"]
holdout_desc = (f"offline holdout: train on the {len(SMALL1)} alphabets of small1 ({', '.join(SMALL1)}), test on the "
                f"alphabets only in small2 ({', '.join(SMALL2_ONLY)}); n_test = {len(a['test_ids'])} drawings"
                if background == "small" else "background/evaluation holdout")
metrics = {
    "table1_nll_nats_per_character": {LABELS[m]: table[m] for m in models},
    "paper_table1": {LABELS[m]: dict(zip(COLUMNS, PAPER[m])) for m in models},
    "best_model": first, "paper_best_model": paper_first, "ordering": ordering,
    "holdout_ttest": ttest, "holdout": holdout_desc, "selected_configs": selected,
    "units": "nats per character (drawing); coordinates normalised as (p - (50, -50)) / 20 for starts and offsets",
    "compute_seconds": {LABELS[m]: round(v, 1) for m, v in seconds.items()},
    "compute_seconds_total": round(sum(seconds.values()), 1),
    "provenance": provenance(run["scale"], run["seed"], a["provenance"]["device"].split(":")[0]),
}
write_json(smk.output.metrics, metrics)
print(frame.to_string(index=False))
print("best:", first)
print("t-test:", ttest)
