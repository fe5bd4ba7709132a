"""The pure table steps of GNS classification moved out of the scripts: pooling the validation
episodes and choosing the refit (gns2021.sizing), the convergence curve, the error budget, and the
cost curve over runs (gns2021.errors)."""

import numpy as np
import pandas as pd
import pytest

from charchallenge.gns2021.errors import cost_curve, cost_levels, params_rows
from charchallenge.gns2021.sizing import convergence_curve, error_budget, pool_sizing


def cell(variant, lr, it, k, two_way, forward=None):
    return {"variant": variant, "lr_render": lr, "refit_iterations": it, "k": k, "correct_two_way": two_way,
            "correct_forward": forward if forward is not None else two_way}


def cp(it=20, lr=0.01, k=2, tolerance=5.0):
    return {"k": k, "refit": {"iterations": it, "lr_render": lr},
            "sizing": {"tolerance": tolerance, "convergence": {"lr_render": lr, "tolerance": 5.0}}}


def episode(name, cells):
    return {"run": name, "n_way": 2, "trials": 4, "cells": cells, "levels": [10, 20],
            "refit_seconds": {("gns", 0.01): 8.0}, "parse_seconds": 1.0, "fit_seconds": 2.0}


def test_pooling_pools_trials_in_run_order_and_chooses_the_cheapest_near_the_lowest():
    saved = [episode("run01", [cell("gns", 0.01, 10, 2, [True, True, False, True]),
                               cell("gns", 0.01, 20, 2, [True, True, True, True])]),
             episode("run02", [cell("gns", 0.01, 10, 2, [True, True, True, True]),
                               cell("gns", 0.01, 20, 2, [True, True, True, False])])]
    out = pool_sizing(saved, cp(tolerance=20.0), seed=0)
    assert len(out["per_run"]) == 4 and list(out["curve"].refit_iterations) == [10, 20]
    assert out["curve"].error_two_way.tolist() == [12.5, 12.5] and out["trials"] == 8
    assert out["curve"].refit_seconds.tolist() == [8.0, 16.0]  # half the refits' time at half the count
    assert int(out["chosen"]["refit_iterations"]) == 10 and out["at_params"] == 12.5
    with pytest.raises(SystemExit, match="not among the sized ones"):
        pool_sizing(saved, cp(it=40), seed=0)


def test_convergence_curve_and_a_check_that_does_not_match_the_params():
    saved = [episode("run01", [cell("gns", 0.01, 10, 2, [False] * 4), cell("gns", 0.01, 20, 2, [True] * 4)])]
    out = convergence_curve(saved, cp(it=10), seed=0)
    assert [c["error_two_way"] for c in out["curve"]] == [100.0, 0.0]
    assert (out["used"], out["longest"], out["verdict"]["verdict"]) == (10, 20, "not converged")
    with pytest.raises(SystemExit, match="set the check to the params' rate and count"):
        convergence_curve(saved, cp(it=15), seed=0)


def test_error_budget_changes_one_factor_at_a_time_and_skips_missing_cells():
    rows = [("gns", 0.01, 10, 2), ("gns", 0.01, 20, 2), ("gns", 0.1, 10, 2), ("gns", 0.01, 10, 1),
            ("no_type_prior", 0.01, 10, 2)]
    curve = pd.DataFrame([{"variant": v, "lr_render": lr, "refit_iterations": it, "k": k, "trials": 40,
                           "error_two_way": float(i), "error_forward": float(i), "refit_seconds": 1.0,
                           "two_way_vs_params_difference": float(i), "two_way_vs_params_ci95_low": i - 1.0,
                           "two_way_vs_params_ci95_high": i + 1.0} for i, (v, lr, it, k) in enumerate(rows)])
    table = error_budget(curve, {"lr_render": 0.01000001, "refit_iterations": 10, "k": 2})
    assert table.row.tolist() == ["params' setting", "refit iterations 20", "blur/eps refit rate 0.1",
                                  "K = 1 parses per image", "no type prior in the parse weights"]
    assert table.error_two_way.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]  # the rate matched to 4 digits


def test_cost_curve_pools_runs_weighted_by_trials_and_params_rows_are_one_per_run():
    c = {"k": 2, "record_at": [5, 10, 50], "refit": {"iterations": 20}}
    assert cost_levels(c) == [5, 10, 20]
    cost = [{"run": r, "n_way": 2, "trials": t, "refit_iterations": it, "k": k, "error_two_way": e,
             "error_forward": 2 * e} for r, t, e in (("run01", 10, 10.0), ("run02", 30, 50.0))
            for it in (10, 20) for k in (1, 2)]
    curve = cost_curve(cost)
    assert len(curve) == 4 and np.allclose(curve.error_two_way, 40.0) and (curve.trials == 40).all()
    assert params_rows(cost, {"k": 2, "refit": {"iterations": 20}}).run.tolist() == ["run01", "run02"]
