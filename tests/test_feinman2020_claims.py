"""The Table 1 claims logic: each claim can come out "holds", "does not hold" and "not evidence"."""

import numpy as np
import pytest

from charchallenge.feinman2020.claims import (ALPHABET, CHARACTER, FAILS, HOLDS, MODELS, NO_EVIDENCE, convergence,
                                              holdout_ttest, table1_claims)

COLUMNS = ALPHABET + CHARACTER + ["holdout"]
CRITERION = {"last_fraction": 0.2, "max_improvement": 0.01, "min_epochs": 5}


def holdout_run(model, shift, n_chars=12, per_char=4):
    chars = [f"A/c{i}" for i in range(n_chars) for _ in range(per_char)]
    base = np.repeat(np.random.RandomState(0).normal(20, 2, n_chars), per_char)  # the same characters for all
    noise = np.random.RandomState(MODELS.index(model) + 1).normal(0, 0.05, n_chars * per_char)
    nll = base + noise + shift
    return {"model": model, "test_nll": nll.tolist(), "test_characters": chars, "test_nll_mean": float(nll.mean())}


def make(table_rows, holdout_shifts, converged=True):
    table = {m: dict(zip(COLUMNS, table_rows[m])) for m in MODELS}
    conv = {m: {c: converged for c in COLUMNS} for m in MODELS}
    holdouts = {m: holdout_run(m, holdout_shifts[m]) for m in MODELS}
    return table, conv, holdouts


GOOD = {"full_ns": [13.0, 14.0, 17.0, 12.3, 12.6, 12.5, 19.0],
        "hierarchical_lstm": [14.0, 14.5, 17.7, 12.2, 12.8, 12.5, 20.0],
        "baseline_lstm": [14.0, 14.4, 17.7, 12.2, 12.7, 12.4, 19.6]}
GOOD_SHIFT = {"full_ns": 0.0, "hierarchical_lstm": 1.0, "baseline_lstm": 0.6}


def verdicts(rows):
    return [r["verdict"] for r in rows]


def test_all_claims_hold_on_paper_like_numbers():
    rows, tt = table1_claims(*make(GOOD, GOOD_SHIFT), alpha=0.05)
    assert verdicts(rows) == [HOLDS] * 4
    assert tt["unit"] == "character" and tt["n_characters"] == 12 and tt["df"] == 11


def test_each_claim_can_fail():
    bad = {m: list(v) for m, v in GOOD.items()}
    bad["full_ns"][1] = 15.0  # loses alphabet split 2
    assert verdicts(table1_claims(*make(bad, GOOD_SHIFT), alpha=0.05)[0])[0] == FAILS

    bad = {m: list(v) for m, v in GOOD.items()}
    bad["full_ns"][6] = 21.0  # loses the holdout
    assert verdicts(table1_claims(*make(bad, GOOD_SHIFT), alpha=0.05)[0])[1] == FAILS

    bad = {m: list(v) for m, v in GOOD.items()}
    bad["full_ns"][3:6] = [10.0, 10.0, 10.0]  # leads more on familiar alphabets than on novel ones
    assert verdicts(table1_claims(*make(bad, GOOD_SHIFT), alpha=0.05)[0])[2] == FAILS

    no_gap = {"full_ns": 0.0, "hierarchical_lstm": 0.0, "baseline_lstm": 0.0}  # same per-character NLL
    assert verdicts(table1_claims(*make(GOOD, no_gap), alpha=0.05)[0])[3] == FAILS


def test_unconverged_runs_are_not_evidence_even_when_numbers_agree():
    rows, _ = table1_claims(*make(GOOD, GOOD_SHIFT, converged=False), alpha=0.05)
    assert verdicts(rows) == [NO_EVIDENCE] * 4
    table, conv, holdouts = make(GOOD, GOOD_SHIFT)
    conv["baseline_lstm"]["alphabet2"] = False  # one compared run still improving
    assert verdicts(table1_claims(table, conv, holdouts, alpha=0.05)[0]) == [NO_EVIDENCE, HOLDS, NO_EVIDENCE, HOLDS]


def test_ttest_uses_characters_not_drawings():
    a = holdout_run("full_ns", 0.0, n_chars=5, per_char=20)
    b = holdout_run("baseline_lstm", 0.2, n_chars=5, per_char=20)
    c = holdout_run("hierarchical_lstm", 0.5, n_chars=5, per_char=20)
    tt = holdout_ttest({"full_ns": a, "baseline_lstm": b, "hierarchical_lstm": c})
    assert tt["df"] == 4 and tt["full_ns_vs"] == "baseline_lstm"
    assert tt["mean_difference_nats"] == pytest.approx(0.2, abs=0.05)


@pytest.mark.parametrize("history, stopped, converged", [
    (np.linspace(30, 20, 40), "budget", False),                    # still falling when the budget ran out
    (np.r_[np.linspace(30, 20, 30), np.full(10, 20.0)], "budget", True),  # flat last fifth
    (np.r_[np.linspace(30, 20, 30), np.full(6, 20.5)], "plateau", True),  # early stopping
    ([30.0, 29.9], "plateau", False),                               # too short to judge
])
def test_convergence(history, stopped, converged):
    run = {"history": [{"val_loss": v} for v in history], "stopped": stopped, "epochs": len(history)}
    assert convergence(run, CRITERION)["converged"] is converged
