"""Screening the refits of GNS one-shot classification (issue 26; Feinman & Lake 2021, Eq. 4-5),
measured on validation episodes from the background alphabets - never on the test episodes.

Eq. 5 refits every parse of every image to every image of the other side: in a 20-way episode
with K parses, 2 x 20 x 20 x K pairs, each for the full refit count. Only the best class of each
test item matters, so a short refit of every pair (the *screen*, a few iterations) can rank the
classes, and only each test item's ``keep`` best are refitted fully (``refit_grid(..., mask=)``).
A kept pair's refit is the same optimisation as without the screen, so the screened decision
differs from the unscreened one only on a trial whose winner the screen dropped. In the order the
pipeline runs it:

1. :func:`screen_episode`: one validation episode parsed and fitted as the test episodes are,
   every pair of both directions refitted for ``check_at`` iterations with the scores recorded at
   every screen count (``screen_at``): what each (screen count, keep) would have kept.
2. :func:`long_refits`: with one screen (``long_run.screen_at``, ``long_run.keep``), the kept
   pairs refitted for up to the longest count of ``long_run.record_at`` - the paper's 1,500
   iterations at quick scale, affordable because only ``keep`` of the classes are refitted.
3. :func:`screening_tables`: the episodes pooled - per screen, how often the unscreened winner
   (at ``check_at``) survives and how many decisions change; the screened error at every long
   count with its paired interval against the longest, and the convergence verdict on the params'
   count (:func:`charchallenge.oneshot.convergence.convergence_verdict`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from charchallenge.oneshot.convergence import convergence_verdict
from charchallenge.oneshot.scoring import paired_difference

from .classify import (RefitParams, episode_scores, parse_score_table, refit_grid, screened_classes,
                       trial_outcomes)
from .episode_fit import fit_episode


def check_screening(sc: dict) -> None:
    """One-line errors for a screening section (params ``gns2021.classify.screening``) whose counts
    do not fit together: every screen shorter than ``check_at``, the long run's screen among those
    checked."""
    if max(sc["screen_at"]) >= sc["check_at"]:
        raise ValueError(f"gns2021.classify.screening: every screen_at {sc['screen_at']} must be below check_at "
                         f"{sc['check_at']} (the full refits the screens are checked against)")
    lr = sc.get("long_run")  # the full refits' job does not read the long run's screen
    if lr is not None and (lr["screen_at"] not in sc["screen_at"] or lr["keep"] not in sc["keep"]):
        raise ValueError(f"gns2021.classify.screening.long_run: screen_at {lr['screen_at']} and keep {lr['keep']} "
                         f"must be among screen_at {sc['screen_at']} and keep {sc['keep']}")


def screen_episode(episode, type_model, gns: dict, seed: int) -> dict:
    """Step 1 for one validation ``episode`` (``gns``: params ``gns2021``). Returns what the job
    saves: the fitted parses (for step 2), the parse score table, every pair's scores at each
    screen count and at ``check_at``, and the seconds spent."""
    cp = gns["classify"]
    sc = cp["screening"]
    check_screening(sc)
    images, fitted, owner, parse_seconds, fit_seconds = fit_episode(episode, type_model, gns, seed, "validation")
    n_train = episode.n_way
    train, test = list(range(n_train)), list(range(n_train, len(images)))
    refit = RefitParams(**{**cp["refit"], "iterations": sc["check_at"]})
    fwd = refit_grid(fitted, owner, images, train, test, cp["k"], refit, sc["screen_at"], progress=True)
    rev = refit_grid(fitted, owner, images, test, train, cp["k"], refit, sc["screen_at"], progress=True)
    grids = {it: {"forward": fwd["recorded"][it], "reverse": rev["recorded"][it]} for it in sc["screen_at"]}
    grids[sc["check_at"]] = {"forward": fwd["scores"], "reverse": rev["scores"]}
    print(f"validation {episode.name}: {fwd['pairs'] + rev['pairs']} refits of {sc['check_at']} iterations in "
          f"{fwd['seconds'] + rev['seconds']:.0f} s", flush=True)
    return {"run": episode.name, "n_way": n_train, "labels": np.asarray(episode.labels), "images": images,
            "fitted": fitted, "owner": owner, "parse_scores": parse_score_table(fitted, owner, cp["k"]),
            "grids": grids, "check_at": sc["check_at"], "pairs": fwd["pairs"] + rev["pairs"],
            "parse_seconds": parse_seconds, "fit_seconds": fit_seconds - parse_seconds,
            "check_seconds": fwd["seconds"] + rev["seconds"]}


def screen_mask(screened: dict, screen_at: int, keep: int) -> np.ndarray:
    """(test items, classes) bool: what the screen at ``screen_at`` iterations keeping ``keep``
    classes keeps on a :func:`screen_episode` result."""
    g = screened["grids"][screen_at]
    return screened_classes(screened["parse_scores"], screened["n_way"], g["forward"], g["reverse"], keep)


def long_refits(screened: dict, cp: dict) -> dict:
    """Step 2: the pairs the long run's screen keeps, refitted at the params' refit rate for up to
    the longest count of ``screening.long_run.record_at`` (``cp``: params ``gns2021.classify``).
    Returns the screened grids at every recorded count and the seconds spent."""
    lr = cp["screening"]["long_run"]
    counts = sorted(set(lr["record_at"]))
    mask = screen_mask(screened, lr["screen_at"], lr["keep"])  # (T, C)
    n_train, images, fitted, owner = screened["n_way"], screened["images"], screened["fitted"], screened["owner"]
    train, test = list(range(n_train)), list(range(n_train, len(images)))
    refit = RefitParams(**{**cp["refit"], "iterations": counts[-1]})
    fwd = refit_grid(fitted, owner, images, train, test, cp["k"], refit, counts, progress=True, mask=mask.T)
    rev = refit_grid(fitted, owner, images, test, train, cp["k"], refit, counts, progress=True, mask=mask)
    grids = {it: {"forward": fwd["recorded"][it], "reverse": rev["recorded"][it]} for it in counts[:-1]}
    grids[counts[-1]] = {"forward": fwd["scores"], "reverse": rev["scores"]}
    print(f"validation {screened['run']}: {fwd['pairs'] + rev['pairs']} screened refits of {counts[-1]} iterations "
          f"in {fwd['seconds'] + rev['seconds']:.0f} s", flush=True)
    return {"run": screened["run"], "screen_at": lr["screen_at"], "keep": lr["keep"], "counts": counts,
            "grids": grids, "pairs": fwd["pairs"] + rev["pairs"], "seconds": fwd["seconds"] + rev["seconds"]}


def two_way_scores(screened: dict, grid: dict) -> np.ndarray:
    """The two-way scores (Eq. 5), (test items, classes), from one grid of both directions."""
    n = screened["n_way"]
    ps = screened["parse_scores"]
    return episode_scores(ps[:n], ps[n:], grid["forward"], grid["reverse"])["two_way"].numpy()


def score_drift(screened: list[dict], long: list[dict], first: int, last: int) -> dict:
    """What longer refits do to the decision, from ``first`` to ``last`` iterations of the long run:
    per trial the two-way score gain (nats) of the true class and of the best other kept class, and
    how many decisions turn from right to wrong and back."""
    true_gain, other_gain, to_wrong, to_right = [], [], 0, 0
    for s, l in zip(screened, long):
        a, b = two_way_scores(s, l["grids"][first]), two_way_scores(s, l["grids"][last])
        for t, label in enumerate(s["labels"]):
            others = [c for c in range(a.shape[1]) if c != label and np.isfinite(b[t, c])]
            if not np.isfinite(a[t, label]) or not others:
                continue  # the screen dropped the true class, or kept nothing else
            best_other = max(others, key=lambda c: b[t, c])
            true_gain.append(b[t, label] - a[t, label])
            other_gain.append(b[t, best_other] - a[t, best_other])
            right_before, right_after = a[t].argmax() == label, b[t].argmax() == label
            to_wrong += int(right_before and not right_after)
            to_right += int(right_after and not right_before)
    return {"from": first, "to": last, "trials": len(true_gain),
            "median_gain_true_class": float(np.median(true_gain)) if true_gain else float("nan"),
            "median_gain_best_other_class": float(np.median(other_gain)) if other_gain else float("nan"),
            "right_to_wrong": to_wrong, "wrong_to_right": to_right}


def two_way_decisions(screened: dict, grid: dict) -> np.ndarray:
    """The two-way decision (Eq. 5) per test item from one grid of both directions (ties: the
    first class, as :func:`.classify.predictions`)."""
    return two_way_scores(screened, grid).argmax(-1)


def screening_tables(screened: list[dict], long: list[dict], cp: dict, seed: int) -> dict:
    """Step 3: ``screened`` / ``long`` the episodes' step 1 and 2 results (same order), ``cp``
    params ``gns2021.classify``. Returns ``screens`` (one row per screen count and keep: the share
    of trials whose unscreened winner at ``check_at`` was kept, decisions changed, the error
    screened and unscreened at ``check_at`` with their paired difference, refit cost against the
    unscreened), ``curve`` (the long run's error at every count, paired against the longest), the
    ``verdict`` on the params' refit count and the measured ``seconds``."""
    sc = cp["screening"]
    check = sc["check_at"]
    labels = np.concatenate([s["labels"] for s in screened])
    fulls = [two_way_decisions(s, s["grids"][check]) for s in screened]  # per episode
    full = np.concatenate(fulls)
    full_correct = full == labels
    total_pairs = sum(s["pairs"] for s in screened)
    screens = []
    for at in sc["screen_at"]:
        for keep in sc["keep"]:
            masks = [screen_mask(s, at, keep) for s in screened]
            kept_winner = np.concatenate([m[np.arange(len(m)), d] for m, d in zip(masks, fulls)])
            kept_truth = np.concatenate([m[np.arange(len(m)), s["labels"]] for m, s in zip(masks, screened)])
            decided = []
            for s, m in zip(screened, masks):  # the screened decision at check_at: unscreened scores of kept pairs
                g = s["grids"][check]
                decided.append(two_way_decisions(s, {"forward": g["forward"].masked_fill(~torch.as_tensor(m.T)[..., None], -float("inf")),
                                            "reverse": g["reverse"].masked_fill(~torch.as_tensor(m)[..., None], -float("inf"))}))
            decided = np.concatenate(decided)
            diff = paired_difference(decided == labels, full_correct, seed=seed)
            kept_share = float(np.mean([m.mean() for m in masks]))
            screens.append({"screen_at": at, "keep": keep, "trials": len(labels),
                            "winner_kept_percent": 100 * kept_winner.mean(),
                            "true_class_kept_percent": 100 * kept_truth.mean(),
                            "decisions_changed": int((decided != full).sum()),
                            f"error_two_way_screened_at_{check}": 100 * (1 - (decided == labels).mean()),
                            f"error_two_way_unscreened_at_{check}": 100 * (1 - full_correct.mean()),
                            "screened_minus_unscreened_points": diff["difference"],
                            "ci95_low": diff["ci95_low"], "ci95_high": diff["ci95_high"],
                            # pair-iterations against refitting every pair for check_at iterations
                            "cost_share_at_check": (at + kept_share * check) / check})
    lr = sc["long_run"]
    counts = long[0]["counts"]
    outcome = {it: np.concatenate([two_way_decisions(s, l["grids"][it]) == s["labels"] for s, l in zip(screened, long)])
               for it in counts}
    used = cp["refit"]["iterations"]
    seconds_per_pair_iteration = sum(s["check_seconds"] for s in screened) / (total_pairs * check)
    long_pairs = sum(l["pairs"] for l in long)
    long_per_pair_iteration = sum(l["seconds"] for l in long) / (long_pairs * counts[-1])
    curve = []
    for it in counts:
        diff = paired_difference(outcome[it], outcome[counts[-1]], seed=seed)
        vs_check = paired_difference(outcome[it], full_correct, seed=seed)
        curve.append({"refit_iterations": it, "screen_at": lr["screen_at"], "keep": lr["keep"], "trials": len(labels),
                      "error_two_way": 100 * (1 - outcome[it].mean()),
                      "error_forward": 100 * (1 - np.concatenate([
                          trial_outcomes(s["parse_scores"], s["n_way"], l["grids"][it]["forward"],
                                         l["grids"][it]["reverse"], s["labels"])["forward"]
                          for s, l in zip(screened, long)]).mean()),
                      "vs_longest_points": diff["difference"], "ci95_low": diff["ci95_low"],
                      "ci95_high": diff["ci95_high"],
                      # against every pair refitted for check_at iterations, on the same trials
                      "vs_unscreened_check_points": vs_check["difference"],
                      "vs_unscreened_check_ci95_low": vs_check["ci95_low"],
                      "vs_unscreened_check_ci95_high": vs_check["ci95_high"],
                      # measured per pair-iteration rates: every pair for the screen, then the kept pairs
                      "refit_seconds_per_episode": (seconds_per_pair_iteration * total_pairs * lr["screen_at"]
                                                    + long_per_pair_iteration * long_pairs * it) / len(screened),
                      "unscreened_seconds_per_episode": seconds_per_pair_iteration * total_pairs * it / len(screened)})
    drift = score_drift(screened, long, counts[0], counts[-1])
    # the params' count, screened as the long run, against the longest; and the unscreened refits at
    # check_at (every pair, as the test episodes run when check_at is the params' count) against it
    verdict = (convergence_verdict(outcome[used], outcome[counts[-1]], sc["tolerance"], seed=seed)
               if used in outcome else None)
    unscreened = convergence_verdict(full_correct, outcome[counts[-1]], sc["tolerance"], seed=seed)
    return {"screens": pd.DataFrame(screens), "curve": pd.DataFrame(curve), "verdict": verdict,
            "unscreened_verdict": unscreened, "used": used, "drift": drift,
            "longest": counts[-1], "unscreened_error_at_check": 100 * (1 - full_correct.mean()),
            "seconds": {"parse": sum(s["parse_seconds"] for s in screened),
                        "fit": sum(s["fit_seconds"] for s in screened),
                        "check_refits": sum(s["check_seconds"] for s in screened),
                        "long_refits": sum(l["seconds"] for l in long),
                        "per_pair_iteration_unscreened": seconds_per_pair_iteration,
                        "per_pair_iteration_screened": long_per_pair_iteration}}


def budget_rows(curve: pd.DataFrame, metrics: dict) -> pd.DataFrame:
    """The error budget's rows from the screened long run (:func:`screening_tables`' ``curve`` as
    written, its metrics file as ``metrics``): every pair refitted for ``check_at`` iterations on the
    screening's episodes, then the screened error at every longer count, each paired against it on
    the same trials - the budget's refit-iteration rows toward the paper's 1,500, on more runs than
    the sizing's (the ``trials`` column says how many)."""
    check, runs = metrics["refit"]["check_at"], metrics["validation_episodes"]["runs"]
    lr, k = metrics["refit"]["lr_render"], metrics["refit"]["k"]
    first = curve.iloc[0]
    rows = [{"row": f"every pair, {check} iterations ({runs} runs)", "variant": "gns", "lr_render": lr,
             "refit_iterations": check, "k": k, "trials": int(first.trials),
             "error_two_way": metrics["unscreened_error_two_way_at_check"], "error_forward": float("nan"),
             "vs_params_points": 0.0, "vs_params_ci95_low": 0.0, "vs_params_ci95_high": 0.0,
             "refit_seconds": round(float(first.unscreened_seconds_per_episode) * check
                                    / float(first.refit_iterations) * runs, 1)}]
    for _, c in curve.iterrows():
        if int(c.refit_iterations) == check:
            label = f"screened ({int(c.screen_at)} it., best {int(c.keep)} classes), {check} iterations ({runs} runs)"
        else:
            label = f"screened refit iterations {int(c.refit_iterations)} ({runs} runs)"
        rows.append({"row": label, "variant": "gns_screened", "lr_render": lr,
                     "refit_iterations": int(c.refit_iterations), "k": k, "trials": int(c.trials),
                     "error_two_way": c.error_two_way, "error_forward": c.error_forward,
                     "vs_params_points": c.vs_unscreened_check_points,
                     "vs_params_ci95_low": c.vs_unscreened_check_ci95_low,
                     "vs_params_ci95_high": c.vs_unscreened_check_ci95_high,
                     "refit_seconds": round(float(c.refit_seconds_per_episode) * runs, 1)})
    return pd.DataFrame(rows)
