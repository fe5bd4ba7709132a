"""Sizing the refits of GNS one-shot classification (Feinman & Lake 2021, Eq. 4-5) on validation
episodes - never on the test episodes - in the order the pipeline runs it:

1. :func:`size_episode`: one validation episode, parsed and fitted as the test episodes are
   (:func:`.episode_fit.parse_and_fit`), then every parse refitted to every image of the other side
   in both directions at every refit rate of blur and eps (``sizing.lr_render``), each test item's
   outcome (correct or not, two-way and forward only) recorded at every iteration count of
   ``sizing.record_at`` for K = 1 .. k parses. Two rows of the error budget come with it: the same
   refits scored with parse weights that leave out the type prior (``no_type_prior``), and the
   drawers' own strokes as every image's one parse (``oracle_parses``, at ``sizing.oracle_lr_render``).
2. :func:`pool_sizing`: the episodes pooled - each setting's error, its paired difference to the
   params' setting with a 95% bootstrap interval over trials, and the choice
   (:func:`.classify.sized_refit`).
3. :func:`convergence_curve`: the error at every count of the convergence check's long run and the
   verdict on the params' count (:func:`charchallenge.oneshot.convergence.convergence_verdict`).
4. :func:`error_budget`: from the pooled table, one factor changed at a time from the params' setting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charchallenge.oneshot.convergence import convergence_verdict
from charchallenge.oneshot.scoring import paired_difference

from .classify import RefitParams, keep_top, parse_score_table, refit_grid, sized_refit, trial_outcomes
from .episode_fit import fit_episode, fit_given_parses, oracle_parses

SETTING = ("variant", "lr_render", "refit_iterations", "k")  # what a cell of the sizing is keyed by


def size_episode(episode, type_model, gns: dict, seed: int, splines: dict) -> dict:
    """Step 1 for one validation ``episode`` (``gns``: params ``gns2021``; ``splines``: params
    ``preprocess.splines``, for the oracle parses). Returns what the sizing job saves."""
    cp = gns["classify"]
    sz = cp["sizing"]
    images, fitted, owner, parse_seconds, fit_seconds = fit_episode(episode, type_model, gns, seed, "validation")
    n_train = episode.n_way
    train, test = list(range(n_train)), list(range(n_train, len(images)))
    levels = sorted(set(sz["record_at"]))
    cells, refit_seconds = [], {}

    def sized(variant, fitted, owner, k_max, parse_scores, lr_render):
        """Refits of both directions at one rate; each test item's outcome at every level and K."""
        refit = RefitParams(**{**cp["refit"], "iterations": levels[-1], "lr_render": lr_render})
        fwd = refit_grid(fitted, owner, images, train, test, k_max, refit, levels, progress=True)
        rev = refit_grid(fitted, owner, images, test, train, k_max, refit, levels, progress=True)
        refit_seconds[(variant, lr_render)] = fwd["seconds"] + rev["seconds"]
        for it in levels:
            forward, reverse = (d["scores"] if it == levels[-1] else d["recorded"][it] for d in (fwd, rev))
            for name, table in parse_scores.items():
                for k in range(1, k_max + 1) if name == variant else [k_max]:
                    outcome = trial_outcomes(keep_top(table, k), n_train, forward, reverse, episode.labels)
                    cells.append({"variant": name, "lr_render": lr_render, "refit_iterations": it, "k": k,
                                  "correct_two_way": outcome["two_way"].tolist(),
                                  "correct_forward": outcome["forward"].tolist()})
        print(f"validation {episode.name}, {variant}, refit lr_render {lr_render}: {fwd['pairs'] + rev['pairs']} "
              f"refits of {levels[-1]} iterations in {refit_seconds[(variant, lr_render)]:.0f} s", flush=True)

    # GNS as the test episodes run it, and the same refits with parse weights that leave out the type prior
    scores = {"gns": parse_score_table(fitted, owner, cp["k"]),
              "no_type_prior": parse_score_table(fitted, owner, cp["k"], fitted.image_ll + fitted.token_lp)}
    for lr_render in sz["lr_render"]:
        sized("gns", fitted, owner, cp["k"], scores, lr_render)
    # the drawers' own strokes as the one parse of every image: what a perfect parser would give
    if sz["oracle_lr_render"] is not None:
        drawings = episode.train_strokes() + episode.test_strokes()
        oracle = fit_given_parses(oracle_parses(drawings, splines), images, type_model, gns)
        oracle_owner = np.arange(len(images))
        sized("oracle_parses", oracle, oracle_owner, 1, {"oracle_parses": parse_score_table(oracle, oracle_owner, 1)},
              sz["oracle_lr_render"])
    return {"run": episode.name, "n_way": n_train, "trials": len(episode.labels), "cells": cells, "levels": levels,
            "parse_seconds": parse_seconds, "fit_seconds": fit_seconds - parse_seconds,
            "refit_seconds": refit_seconds}


def params_setting(cp: dict) -> tuple:
    """The params' own refit setting as a :data:`SETTING` key (params ``gns2021.classify``)."""
    return ("gns", cp["refit"]["lr_render"], cp["refit"]["iterations"], cp["k"])


def pool_sizing(saved: list[dict], cp: dict, seed: int) -> dict:
    """Step 2: ``saved`` the episodes' :func:`size_episode` results, ``cp`` params
    ``gns2021.classify``. Returns the per-run table ``per_run``, the pooled table ``curve`` (one row
    per setting), the ``chosen`` cell, the ``lowest`` error at the params' K, the params' ``base``
    setting and its error ``at_params``, and the refit ``seconds`` per (variant, rate)."""
    per_run = pd.DataFrame([{"run": s["run"], "n_way": s["n_way"], "trials": s["trials"],
                             **{k: c[k] for k in SETTING},
                             "error_two_way": 100 * (1 - np.mean(c["correct_two_way"])),
                             "error_forward": 100 * (1 - np.mean(c["correct_forward"]))}
                            for s in saved for c in s["cells"]])
    pooled = {}  # setting -> outcomes of every trial, runs in input order
    for s in saved:
        for c in s["cells"]:
            entry = pooled.setdefault(tuple(c[k] for k in SETTING), {"two_way": [], "forward": []})
            entry["two_way"] += c["correct_two_way"]
            entry["forward"] += c["correct_forward"]
    base = params_setting(cp)
    if base not in pooled:
        raise SystemExit(f"error: the params' refit setting (lr_render, iterations, k) = {base[1:]} is not among the "
                         "sized ones: gns2021.classify.refit.lr_render must be in sizing.lr_render and "
                         "refit.iterations in sizing.record_at")
    seconds = {v: sum(s["refit_seconds"][v] for s in saved) for v in saved[0]["refit_seconds"]}  # (variant, rate)
    levels = saved[0]["levels"]
    curve = []
    for setting, outcome in sorted(pooled.items()):
        variant, lr, it, k = setting
        row = dict(zip(SETTING, setting), trials=len(outcome["two_way"]),
                   error_two_way=100 * (1 - np.mean(outcome["two_way"])),
                   error_forward=100 * (1 - np.mean(outcome["forward"])),
                   # the refits ran to the last level; stopping at ``it`` costs about that share of them
                   refit_seconds=round(seconds[("gns" if variant == "no_type_prior" else variant, lr)]
                                       * it / levels[-1], 1))
        diff = paired_difference(outcome["two_way"], pooled[base]["two_way"], seed=seed)
        row.update({f"two_way_vs_params_{k_}": v for k_, v in diff.items()})
        curve.append(row)
    curve = pd.DataFrame(curve)
    at_k = curve[(curve.variant == "gns") & (curve.k == cp["k"])]
    chosen = sized_refit(at_k.to_dict(orient="records"), cp["sizing"]["tolerance"])
    at_params = float(at_k.error_two_way[(at_k.lr_render == base[1]) & (at_k.refit_iterations == base[2])].iloc[0])
    return {"per_run": per_run, "curve": curve, "chosen": chosen, "lowest": float(at_k.error_two_way.min()),
            "trials": int(at_k.trials.iloc[0]), "base": base, "at_params": at_params, "seconds": seconds}


def convergence_curve(saved: list[dict], cp: dict, seed: int) -> dict:
    """Step 3: ``saved`` the convergence check's :func:`size_episode` results (one rate, long
    counts). The two-way and forward errors at every count (``curve``), the params' count and the
    longest, and the verdict on the params' count against the longest."""
    check = cp["sizing"]["convergence"]
    levels = saved[0]["levels"]
    used, longest = cp["refit"]["iterations"], levels[-1]
    if used not in levels or check["lr_render"] != cp["refit"]["lr_render"]:
        raise SystemExit(f"error: gns2021.classify.sizing.convergence checks lr_render {check['lr_render']} at "
                         f"{levels}; the params refit at lr_render {cp['refit']['lr_render']} for {used} iterations: "
                         "set the check to the params' rate and count")

    def outcomes(it, key="correct_two_way"):
        return np.concatenate([c[key] for s in saved for c in s["cells"]
                               if c["variant"] == "gns" and c["refit_iterations"] == it and c["k"] == cp["k"]])

    curve = [{"refit_iterations": it, "trials": len(outcomes(it)), "error_two_way": 100 * (1 - outcomes(it).mean()),
              "error_forward": 100 * (1 - outcomes(it, "correct_forward").mean())} for it in levels]
    verdict = convergence_verdict(outcomes(used), outcomes(longest), check["tolerance"], seed=seed)
    return {"curve": curve, "used": used, "longest": longest, "verdict": verdict}


def _same_rate(a, b):
    return np.isclose(a, b, rtol=1e-3)  # the table prints rates to 4 digits, the metrics file in full


def error_budget(curve: pd.DataFrame, base: dict) -> pd.DataFrame:
    """Step 4: ``curve`` the pooled sizing table as written (:func:`pool_sizing`), ``base`` the
    params' setting as the sizing metrics record it (``lr_render``, ``refit_iterations``, ``k``).
    One row per factor changed from it - refit iterations, the refit rate of blur and eps, parses per
    image K, the type prior in the parse weights, the parser itself (the drawers' own strokes) - with
    its two-way error, its paired 95% interval against the params' setting and its refit cost."""
    lr, it, k = base["lr_render"], base["refit_iterations"], base["k"]
    top = int(curve.refit_iterations.max())

    def cell(variant, lr_render, iterations, k_):
        hit = curve[(curve.variant == variant) & _same_rate(curve.lr_render, lr_render)
                    & (curve.refit_iterations == iterations) & (curve.k == k_)]
        return None if hit.empty else hit.iloc[0]

    rows = [("params' setting", "gns", lr, it, k)]
    rows += [(f"refit iterations {n}", "gns", lr, n, k) for n in sorted(curve.refit_iterations.unique()) if n != it]
    rates = sorted(curve.lr_render.unique())
    rows += [(f"blur/eps refit rate {r:g}", "gns", r, it, k) for r in rates if not _same_rate(r, lr)]
    if top != it:  # the params' rate at every count is in the iteration rows
        rows += [(f"blur/eps refit rate {r:g}, {top} iterations", "gns", r, top, k) for r in rates
                 if not _same_rate(r, lr)]
    rows += [(f"K = {n} parses per image", "gns", lr, it, n) for n in range(1, k)]
    rows += [("no type prior in the parse weights", "no_type_prior", lr, it, k)]
    rows += [(f"no type prior, {top} iterations", "no_type_prior", lr, top, k)] if top != it else []
    oracle_lr = curve.lr_render[curve.variant == "oracle_parses"]
    if len(oracle_lr):
        rows += [(f"GNS parses, K = 1, rate {oracle_lr.iloc[0]:g} (the oracle's comparison)", "gns", oracle_lr.iloc[0],
                  it, 1),
                 (f"oracle parses (drawers' strokes, K = 1, rate {oracle_lr.iloc[0]:g})", "oracle_parses",
                  oracle_lr.iloc[0], it, 1)]
        rows += [(f"oracle parses, {top} iterations", "oracle_parses", oracle_lr.iloc[0], top, 1)] if top != it else []
    table = []
    for label, variant, r, n, k_ in rows:
        c = cell(variant, r, n, k_)
        if c is None:
            continue
        table.append({"row": label, "variant": variant, "lr_render": r, "refit_iterations": n, "k": k_,
                      "trials": int(c.trials), "error_two_way": c.error_two_way, "error_forward": c.error_forward,
                      "vs_params_points": c.two_way_vs_params_difference,
                      "vs_params_ci95_low": c.two_way_vs_params_ci95_low,
                      "vs_params_ci95_high": c.two_way_vs_params_ci95_high, "refit_seconds": c.refit_seconds})
    return pd.DataFrame(table)
