"""The claims Table 1 of Feinman & Lake (2020) supports, each decided from measured numbers by a
criterion that can fail, and withheld ("not evidence") when a compared model had not converged.

The paper ("Results", Table 1): the Full NS model generalises best to new characters from novel
alphabets - lowest test NLL on every alphabet split and on the holdout, significantly so on the
holdout (paired t-test against the next best model) - while on new characters of familiar
alphabets (character splits) the three models are close. Rows:

1. ``alphabet_splits``: Full NS has the lowest NLL on every alphabet split.
2. ``holdout``: Full NS has the lowest NLL on the holdout.
3. ``advantage_on_novel_alphabets``: Full NS's mean lead over the best other model is larger on
   the alphabet splits than on the character splits (paper: 0.32 vs -0.05 nats).
4. ``holdout_ttest``: the holdout NLL of Full NS is lower than the next best model's in a paired
   t-test over *characters* (each character's mean NLL over its drawings, so drawings of one
   character do not count as independent), one-sided p < ``alpha``.

A run has converged when it ran at least ``min_epochs`` epochs and either early stopping ended it
(validation plateau) or its validation NLL improved by at most ``max_improvement`` (relative)
over the last ``last_fraction`` of its epochs (:func:`charchallenge.training.still_improving`);
any compared run that has not makes the row "not evidence", whatever the numbers say.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from charchallenge.training import still_improving

from .train import LABELS

MODELS = list(LABELS)
ALPHABET = ["alphabet1", "alphabet2", "alphabet3"]
CHARACTER = ["character1", "character2", "character3"]
HOLDS, FAILS, NO_EVIDENCE = "holds", "does not hold", "not evidence"


def convergence(run: dict, criterion: dict) -> dict:
    """Whether one run (a ``runs/*.json`` payload) converged, and why."""
    improving, rel = still_improving([h["val_loss"] for h in run["history"]], criterion["last_fraction"],
                                     criterion["max_improvement"])
    long_enough = len(run["history"]) >= criterion["min_epochs"]
    converged = long_enough and (run["stopped"] == "plateau" or not improving)
    return {"converged": bool(converged), "stopped": run["stopped"], "epochs": round(float(run["epochs"]), 2),
            "relative_improvement_last_fraction": rel}


def verdict(ok: bool, converged: bool) -> str:
    if not converged:
        return NO_EVIDENCE
    return HOLDS if ok else FAILS


def per_character(run: dict) -> pd.Series:
    """Mean test NLL per character of one run."""
    return pd.Series(run["test_nll"]).groupby(pd.Series(run["test_characters"])).mean()


def holdout_ttest(holdouts: dict[str, dict]) -> dict:
    """Paired t-test of Full NS against the next best model on the holdout, characters as units."""
    others = [m for m in MODELS if m != "full_ns"]
    next_best = min(others, key=lambda m: holdouts[m]["test_nll_mean"])
    a, b = per_character(holdouts["full_ns"]), per_character(holdouts[next_best])
    if list(a.index) != list(b.index):
        raise ValueError("holdout test characters differ between models")
    t = stats.ttest_rel(b.values, a.values, alternative="greater")
    return {"full_ns_vs": next_best, "unit": "character", "n_characters": int(len(a)), "t": float(t.statistic),
            "df": int(len(a) - 1), "p_one_sided": float(t.pvalue),
            "mean_difference_nats": float((b - a).mean()), "positive_t_means": "Full NS has the lower loss"}


def lead(table: dict[str, dict[str, float]], column: str) -> float:
    """Best other model's NLL minus Full NS's in one column (positive: Full NS leads)."""
    return min(table[m][column] for m in MODELS if m != "full_ns") - table["full_ns"][column]


def table1_claims(table: dict[str, dict[str, float]], converged: dict[str, dict[str, bool]],
                  holdouts: dict[str, dict], alpha: float, paper: dict[str, list[float]] | None = None) -> tuple[list[dict], dict]:
    """The claims rows and the holdout t-test. ``table[model][column]`` = test NLL; ``converged[model][column]`` says
    whether the run behind that number converged (for a column of the chosen configuration)."""
    def all_converged(columns):
        return all(converged[m][c] for m in MODELS for c in columns)

    rows = []
    best_alpha = [min(MODELS, key=lambda m: table[m][c]) for c in ALPHABET]
    rows.append({"claim": "Full NS has the lowest NLL on every alphabet split (novel alphabets)",
                 "criterion": "Full NS lowest in each of " + ", ".join(ALPHABET),
                 "measured": "; ".join(f"{c}: lead {lead(table, c):+.2f} nats" for c in ALPHABET),
                 "verdict": verdict(all(b == "full_ns" for b in best_alpha), all_converged(ALPHABET))})
    rows.append({"claim": "Full NS has the lowest NLL on the holdout",
                 "criterion": "Full NS lowest in the holdout column",
                 "measured": f"lead {lead(table, 'holdout'):+.2f} nats",
                 "verdict": verdict(lead(table, "holdout") > 0, all_converged(["holdout"]))})
    adv_a = float(np.mean([lead(table, c) for c in ALPHABET]))
    adv_c = float(np.mean([lead(table, c) for c in CHARACTER]))
    rows.append({"claim": "Full NS's lead is larger on novel alphabets than on familiar ones",
                 "criterion": "mean lead over alphabet splits > mean lead over character splits",
                 "measured": f"alphabet {adv_a:+.2f}, character {adv_c:+.2f} nats",
                 "verdict": verdict(adv_a > adv_c, all_converged(ALPHABET + CHARACTER))})
    tt = holdout_ttest(holdouts)
    rows.append({"claim": "Full NS beats the next best model on the holdout (paired t-test)",
                 "criterion": f"one-sided paired t-test over holdout characters, p < {alpha}",
                 "measured": f"vs {LABELS[tt['full_ns_vs']]}: t = {tt['t']:.2f}, df = {tt['df']}, p = {tt['p_one_sided']:.3g}",
                 "verdict": verdict(tt["t"] > 0 and tt["p_one_sided"] < alpha,
                                    converged["full_ns"]["holdout"] and converged[tt["full_ns_vs"]]["holdout"])})
    if paper is not None:
        cols = ALPHABET + CHARACTER + ["holdout"]
        ptable = {m: dict(zip(cols, paper[m])) for m in MODELS}
        paper_measured = [
            "; ".join(f"{c}: lead {lead(ptable, c):+.2f} nats" for c in ALPHABET),
            f"lead {lead(ptable, 'holdout'):+.2f} nats",
            f"alphabet {np.mean([lead(ptable, c) for c in ALPHABET]):+.2f}, "
            f"character {np.mean([lead(ptable, c) for c in CHARACTER]):+.2f} nats",
            "vs Baseline: t = 3.094, df = 5531 (drawings as units), p < 0.002",
        ]
        for row, p in zip(rows, paper_measured):
            row["paper"] = p
    return rows, tt
