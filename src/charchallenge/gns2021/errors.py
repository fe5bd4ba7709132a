"""GNS one-shot classification results from the saved parses and refits of every episode
(Feinman & Lake 2021, Eq. 4-5): the error per run, two-way and forward only; the cost curve (the
same errors had the refits stopped earlier, ``record_at``, or kept fewer parses per image, the top
K by fitted score); and the trials Fig. A10 shows (correct and misclassified, with their scores)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from charchallenge.oneshot.scoring import run_error

from .classify import episode_scores, keep_top, parse_score_table, predictions


def cost_levels(cp: dict) -> list[int]:
    """The refit iteration counts the cost curve scores (params ``gns2021.classify``): the recorded
    counts below the params' and the params' own."""
    return sorted(set(cp["record_at"]) & set(range(1, cp["refit"]["iterations"]))) + [cp["refit"]["iterations"]]


def episode_errors(name: str, saved: dict, fwd: dict, rev: dict, labels, cp: dict) -> list[dict]:
    """One episode's errors (percent) at every :func:`cost_levels` count and K = 1 .. k: ``saved``
    its fitted parses, ``fwd`` / ``rev`` its refits of both directions."""
    k = cp["k"]
    s = parse_score_table(saved["fitted"], saved["owner"], k)
    n_train = saved["n_train"]
    rows = []
    for it in cost_levels(cp):
        f = fwd["scores"] if it == cp["refit"]["iterations"] else fwd["recorded"][it]
        r = rev["scores"] if it == cp["refit"]["iterations"] else rev["recorded"][it]
        for n in range(1, k + 1):
            sk = keep_top(s, n)
            sc = episode_scores(sk[:n_train], sk[n_train:], f, r)
            rows.append({"run": name, "n_way": n_train, "trials": len(labels), "refit_iterations": it, "k": n,
                         "error_two_way": run_error(predictions(sc["two_way"]), labels),
                         "error_forward": run_error(predictions(sc["forward"]), labels)})
    return rows


def params_rows(cost: list[dict], cp: dict) -> pd.DataFrame:
    """The rows of :func:`episode_errors` at the params' refit count and K: the errors per run."""
    return pd.DataFrame([e for e in cost if e["refit_iterations"] == cp["refit"]["iterations"] and e["k"] == cp["k"]])


def cost_curve(cost: list[dict]) -> pd.DataFrame:
    """The errors of every run pooled (trial-weighted) per refit count and K."""
    return (pd.DataFrame(cost).groupby(["refit_iterations", "k"])
            .apply(lambda d: pd.Series({"trials": d.trials.sum(),
                                        "error_two_way": (d.error_two_way * d.trials).sum() / d.trials.sum(),
                                        "error_forward": (d.error_forward * d.trials).sum() / d.trials.sum()}),
                   include_groups=False)
            .reset_index())


def fig_a10_trials(name: str, saved: dict, fwd: dict, rev: dict, labels, k: int, wanted: dict, trials: dict) -> None:
    """Fig. A10's trials of one episode appended to ``trials`` (``"correct"`` / ``"wrong"`` lists)
    until each holds ``wanted[kind]``: per trial the correct class and the other shown (the one
    chosen if misclassified, else the best-scoring wrong one), the two-way scores (Eq. 5) of both."""
    s, n_train = parse_score_table(saved["fitted"], saved["owner"], k), saved["n_train"]
    two_way = episode_scores(s[:n_train], s[n_train:], fwd["scores"], rev["scores"])["two_way"].numpy()  # (T, C)
    for t, label in enumerate(labels):
        chosen = int(two_way[t].argmax())
        kind = "correct" if chosen == label else "wrong"
        if len(trials[kind]) >= wanted[kind]:
            continue
        other = chosen if kind == "wrong" else int(np.argsort(two_way[t])[-2])
        trials[kind].append({"kind": kind, "run": name, "test": t, "classes": [int(label), other], "chosen": chosen,
                             "scores": [float(two_way[t, label]), float(two_way[t, other])], "saved": saved})


def best_parse(saved: dict, image: int) -> int:
    """The row of ``image``'s best-scoring fitted parse."""
    owner, fitted = np.asarray(saved["owner"]), saved["fitted"]
    mine = np.flatnonzero(owner == image)
    return int(mine[int(fitted.score[mine].argmax())])
