"""Table 1 of Feinman & Lake (2020) ("Results"): the average test NLL per character of the three
models on the seven tasks (three alphabet splits, three character splits, the holdout), with the
paper's numbers in adjacent columns and whether each run converged.

Per split task (alphabet, character), the grid configuration is the one with the lowest mean
*validation* NLL over the splits (validation: training characters set aside, ties broken by the
configuration's name); test NLLs are read only for the table (:func:`select_runs`).
:func:`table1_frame` lays the table out as written, :func:`table1_metrics` the summary beside it;
the claims the table supports are :mod:`.claims`'.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .claims import MODELS, convergence
from .splits import SMALL1, SMALL2_ONLY
from .train import LABELS

PAPER = {  # Table 1 of Feinman & Lake (2020)
    "full_ns": [13.77, 14.18, 17.53, 12.35, 12.59, 12.57, 19.51],
    "hierarchical_lstm": [14.37, 14.56, 17.71, 12.24, 12.80, 12.51, 20.16],
    "baseline_lstm": [14.32, 14.42, 17.71, 12.20, 12.77, 12.39, 19.66],
}
COLUMNS = ["alphabet1", "alphabet2", "alphabet3", "character1", "character2", "character3", "holdout"]


def select_runs(runs: list[dict], holdouts: dict, criterion: dict):
    """Per model and column, the test NLL of the selected configuration and its convergence.

    ``runs``: the split runs' records, ``holdouts``: model -> the holdout run's record,
    ``criterion``: params ``feinman2020.convergence``. Returns (model -> column -> test NLL,
    model -> column -> converged, model -> column -> convergence status, the selection per
    model and task, model -> training and evaluation seconds)."""
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
    return table, converged, status, selected, seconds


def best_models(table: dict) -> tuple[dict, dict]:
    """Per column, the model with the lowest NLL here and in the paper."""
    first = {c: LABELS[min(MODELS, key=lambda m: table[m].get(c, np.inf))] for c in COLUMNS}
    paper_first = {c: LABELS[min(MODELS, key=lambda m: PAPER[m][i])] for i, c in enumerate(COLUMNS)}
    return first, paper_first


def table1_frame(table: dict, status: dict) -> pd.DataFrame:
    """Table 1 as written: a row per model (this run's NLL, rounded, beside the paper's), the best
    model per column, and per model the epochs each run trained and what stopped it."""
    rounded = lambda v: None if v is None else round(float(v), 2)  # noqa: E731
    rows = []
    for m in MODELS:
        row = {"model": LABELS[m]}
        for i, c in enumerate(COLUMNS):
            row[c] = rounded(table[m].get(c))
            row[f"paper_{c}"] = PAPER[m][i]
        rows.append(row)
    first, paper_first = best_models(table)
    rows.append({"model": "best (this run / paper)", **{c: first[c] for c in COLUMNS},
                 **{f"paper_{c}": paper_first[c] for c in COLUMNS}})
    for m in MODELS:
        rows.append({"model": f"{LABELS[m]}: epochs (stopped on)",
                     **{c: f"{status[m][c]['epochs']:g} ({status[m][c]['stopped']}"
                           f"{'' if status[m][c]['converged'] else ', still improving'})" for c in COLUMNS}})
    return pd.DataFrame(rows)[["model"] + [x for c in COLUMNS for x in (c, f"paper_{c}")]]


def holdout_description(background: str, holdouts: dict) -> str:
    """What the holdout task tests, for params ``data.background``."""
    if background != "small":
        return "background/evaluation holdout"
    return (f"offline holdout: train on the {len(SMALL1)} alphabets of small1 ({', '.join(SMALL1)}), test on the "
            f"alphabets only in small2 ({', '.join(SMALL2_ONLY)}); n_test = {len(holdouts['full_ns']['test_ids'])} "
            "drawings")


def table1_metrics(table: dict, converged: dict, status: dict, selected: dict, seconds: dict, claims: list[dict],
                   ttest: dict, holdout: str, criterion: dict) -> dict:
    """The summary written beside Table 1 (without provenance)."""
    first, paper_first = best_models(table)
    return {
        "table1_nll_nats_per_character": {LABELS[m]: table[m] for m in MODELS},
        "paper_table1": {LABELS[m]: dict(zip(COLUMNS, PAPER[m])) for m in MODELS},
        "best_model": first, "paper_best_model": paper_first,
        "claims": {f"{i}": {k: r[k] for k in ("claim", "criterion", "measured", "verdict")}
                   for i, r in enumerate(claims, 1)},
        "holdout_ttest": ttest, "holdout": holdout, "selected_configs": selected,
        "convergence": {LABELS[m]: status[m] for m in MODELS}, "convergence_criterion": criterion,
        "all_runs_converged": bool(all(converged[m][c] for m in MODELS for c in COLUMNS)),
        "units": "nats per character (drawing); coordinates normalised as (p - (50, -50)) / 20 for starts and "
                 "offsets",
        "compute_seconds": {LABELS[m]: round(v, 1) for m, v in seconds.items()},
        "compute_seconds_total": round(sum(seconds.values()), 1),
    }
