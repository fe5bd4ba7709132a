"""The computations the workflow scripts call in the package (issue 29, item 3): run names, the
empty-canvas floor and the paper's comparisons of DooD's Fig. 4, Table 1's configuration choice
(Feinman & Lake), the claims table's text (Fabi et al.) and the spline table's totals."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from charchallenge.dood2022.transfer import (empty_canvas_floor, run_curves, runs_still_improving, transfer_comparisons,
                                             transfer_table)
from charchallenge.fabi2020.claims_table import claims_rows, job_seconds
from charchallenge.feinman2020.table1 import COLUMNS, PAPER, select_runs, table1_frame
from charchallenge.preprocess.spline_stats import spline_table


def test_run_curves_reads_the_longest_variant_name(tmp_path):
    for stem in ("dood_omniglot_seed0", "dood_no_eg_omniglot_seed1"):
        pd.DataFrame({"step": [1, 2], "val_loss": [2.0, 1.0]}).to_csv(tmp_path / f"{stem}.csv", index=False)
    curves = run_curves([str(tmp_path / "dood_omniglot_seed0.csv"), str(tmp_path / "dood_no_eg_omniglot_seed1.csv")],
                        ["dood", "dood_no_eg"])
    assert curves[["variant", "dataset", "seed"]].drop_duplicates().values.tolist() == [
        ["dood", "omniglot", 0], ["dood_no_eg", "omniglot", 1]]


def test_empty_canvas_floor_is_the_best_laplace_scale():
    x = np.random.default_rng(0).uniform(0, 1, (3, 4, 4))
    b = np.abs(x).mean()  # the Laplace scale that maximises the likelihood of x under an empty canvas
    # per image: -sum(log 2b + |x|/b) over its 16 pixels, |x| at its mean over the images
    assert empty_canvas_floor(x) == pytest.approx(-16 * (np.log(2 * b) + b / b))


def test_transfer_comparisons_withhold_verdicts_of_improving_runs():
    scores = pd.DataFrame([{"variant": v, "source": "omniglot", "target": "omniglot", "seed": s,
                            "log_likelihood": ll + s, "log_likelihood_se": 1.0, "images": 10}
                           for v, ll in (("dood", -100.0), ("air", -200.0)) for s in (0, 1)])
    improving = {(v, "omniglot", s): (v == "air" and s == 1, 0.0) for v in ("dood", "air") for s in (0, 1)}
    table = transfer_table(scores, improving, [0, 1], {"omniglot": -300.0}, ["omniglot"])
    assert table.runs_still_improving.tolist() == [1, 0]  # air, dood (sorted)
    comparisons = transfer_comparisons(table, ["dood", "air"], ["omniglot"])
    pair = [c for c in comparisons if c["b"] == "air"][0]
    assert pair["difference"] == pytest.approx(100.0) and pair["verdict"] == "not evidence"
    floor = {c["a"]: c["verdict"] for c in comparisons if c["b"] != "air"}
    assert floor["dood"] == "holds"


def test_runs_still_improving_flags_a_falling_curve():
    curves = pd.DataFrame({"variant": "dood", "dataset": "mnist", "seed": 0, "step": range(10),
                           "val_loss": np.linspace(10, 1, 10)})
    flag, rel = runs_still_improving(curves, {"last_fraction": 0.5, "max_improvement": 0.01})[("dood", "mnist", 0)]
    assert flag and rel > 0.01


def _run(model, task, split, config, val, test, stopped="plateau"):
    return {"model": model, "task": task, "split": split, "config": config, "validation_nll_best": val,
            "test_nll_mean": test, "seconds_train": 1.0, "seconds_eval": 0.5, "stopped": stopped, "epochs": 3.0,
            "history": [{"val_loss": v} for v in (3.0, 2.0, 2.0)]}


def test_table1_selects_by_validation_not_test():
    criterion = {"last_fraction": 0.5, "max_improvement": 0.5, "min_epochs": 1}
    runs = []
    for m in PAPER:
        for task in ("alphabet", "character"):
            for split in (1, 2, 3):
                runs.append(_run(m, task, split, 0, val=10.0, test=20.0))  # better validation
                runs.append(_run(m, task, split, 1, val=11.0, test=5.0))   # better test: must not be chosen
    holdouts = {m: {**_run(m, "holdout", 0, 0, 9.0, 19.0), "selection": {"by": "x"}} for m in PAPER}
    table, converged, status, selected, seconds = select_runs(runs, holdouts, criterion)
    assert all(table[m][f"alphabet{s}"] == 20.0 for m in PAPER for s in (1, 2, 3))
    assert selected["full_ns/alphabet"]["config"] == 0
    assert seconds["full_ns"] == pytest.approx(13 * 1.5)
    frame = table1_frame(table, status)
    assert list(frame.columns[1:3]) == [COLUMNS[0], f"paper_{COLUMNS[0]}"] and len(frame) == 2 * len(PAPER) + 1


def test_claims_rows_format_numbers_and_keys():
    claims = [{"claim": "Section 3.1: trained beats untrained", "criterion": "c", "outcome": "holds",
               "numbers": {"ratio": (1.23456, 0.1), "share": 0.5, "n": 3}}]
    rows, entries = claims_rows(claims)
    assert rows[0]["measured (mean +- SD over seeds)"] == "ratio 1.235 +- 0.1; share 0.5; n 3"
    assert entries == {"1_Section_3.1": {"outcome": "holds", "ratio": {"mean": 1.23456, "sd": 0.1}, "share": 0.5,
                                         "n": 3}}
    seconds, device = job_seconds([{"config": {"ff_units": None}, "seed": 0, "seconds": 1.26, "device": "cpu"}],
                                  {"one_shot": {"seconds": 2.04}})
    assert seconds == {"train_seed0_without_ff": 1.3, "one_shot": 2.0} and device == "cpu"


class _Dataset:
    alphabets = ["a", "b"]

    def __len__(self):
        return 3

    def alphabet_of(self):
        return np.array(["a", "b", "b"])


def test_spline_table_counts_per_alphabet_and_in_total():
    splines = SimpleNamespace(n_control=np.array([1, 2, 3]), residual=np.array([0.1, 0.2, 0.5]),
                              removed=np.array([0, 1, 2]), dataset_index=np.array([0, 1]),
                              stroke_starts=np.array([0, 1, 3]), threshold=0.3)  # drawing 2 dropped
    table, total = spline_table(_Dataset(), splines)
    assert table.alphabet.tolist() == ["a", "b", "all"]
    assert table.strokes_kept.tolist() == [1, 2, 3] and table.strokes_removed.tolist() == [0, 3, 3]
    assert table.drawings_dropped.tolist() == [0, 1, 1]
    assert total["share_below_threshold"] == pytest.approx(2 / 3) and total["control_points_max"] == 3
