"""Screened refits of GNS one-shot classification (issue 26): the screen keeps each test item's
best classes by the two-way score, masked refits score kept pairs exactly as unmasked ones, a
screen that keeps the winner changes no decision, and the pooled tables count what it changed."""

import math

import numpy as np
import pytest
import torch

from charchallenge.gns2021.classify import (RefitParams, episode_scores, parse_score_table, predictions, refit_grid,
                                            screened_classes)
from charchallenge.gns2021.screening import budget_rows, check_screening, long_refits, screening_tables
from test_gns2021_parser import L, T, image, line, tiny_type_model


def episode_grids(seed, c=4, k=2):
    """Random scores of a c-way episode (c training and c test images, k parses each)."""
    g = torch.Generator().manual_seed(seed)
    ps = -torch.rand(2 * c, k, generator=g).double() * 10
    fwd = -torch.rand(c, c, k, generator=g).double() * 100
    rev = -torch.rand(c, c, k, generator=g).double() * 100
    return ps, fwd, rev


def test_the_screen_keeps_each_test_items_best_classes_by_the_two_way_score():
    ps, fwd, rev = episode_grids(0)
    two_way = episode_scores(ps[:4], ps[4:], fwd, rev)["two_way"]
    for keep in (1, 2, 3, 4):
        kept = screened_classes(ps, 4, fwd, rev, keep)
        assert kept.shape == (4, 4) and (kept.sum(1) == keep).all()
        for t in range(4):  # every kept class scores at least every dropped one
            if keep < 4:
                assert two_way[t][kept[t]].min() >= two_way[t][~kept[t]].max()
    assert (screened_classes(ps, 4, fwd, rev, 1).argmax(1) == predictions(two_way)).all()
    tied = screened_classes(torch.zeros(4, 1).double(), 2, torch.zeros(2, 2, 1).double(),
                            torch.zeros(2, 2, 1).double(), 1)
    assert tied.tolist() == [[True, False], [True, False]]  # ties: the lower class
    with pytest.raises(ValueError, match="keep"):
        screened_classes(ps, 4, fwd, rev, 0)


def test_pruning_keeps_the_winner_and_then_changes_no_decision():
    """Constructed: the short refits rank the true winner second; keep 2 keeps it and the
    screened decision is the unscreened one, keep 1 drops it and the decision changes."""
    ps = torch.zeros(6, 1).double()
    full_fwd = torch.full((3, 3, 1), -100.0).double()
    full_fwd[2, 0] = -10.0  # test item 0: class 2 wins after full refits
    short_fwd = full_fwd.clone()
    short_fwd[2, 0], short_fwd[1, 0] = -60.0, -50.0  # ...but after a short refit class 1 leads, class 2 second
    rev = torch.full((3, 3, 1), -100.0).double()
    winner = predictions(episode_scores(ps[:3], ps[3:], full_fwd, rev)["two_way"])[0]
    for keep, same in ((2, True), (1, False)):
        kept = torch.as_tensor(screened_classes(ps, 3, short_fwd, rev, keep))
        masked = full_fwd.masked_fill(~kept.T[..., None], -math.inf), rev.masked_fill(~kept[..., None], -math.inf)
        decided = predictions(episode_scores(ps[:3], ps[3:], *masked)["two_way"])[0]
        assert bool(kept[0, winner]) == same and (decided == winner) == same


def test_a_masked_refit_scores_kept_pairs_as_the_unmasked_one_and_drops_the_rest():
    from charchallenge.gns2021.fit import FitParams, fit_parses

    tm = tiny_type_model()
    images = np.stack([image(T), image(L), image(L), image(T)])
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::10]], [L[0][::20]], [T[0][::10]]]
    owner = [0, 1, 2, 3]
    fitted = fit_parses(parses, torch.tensor(images).float(), tm, params=FitParams(iterations=3))
    params = RefitParams(iterations=4, blur_steps=3, chunk=2)
    full = refit_grid(fitted, owner, images, [0, 1], [2, 3], 1, params, record_at=[2])
    mask = np.array([[True, False], [False, True]])
    part = refit_grid(fitted, owner, images, [0, 1], [2, 3], 1, params, record_at=[2], mask=mask)
    assert part["pairs"] == 2 and full["pairs"] == 4
    for grid in ("scores",):
        assert torch.equal(part[grid][torch.as_tensor(mask)], full[grid][torch.as_tensor(mask)])
        assert (part[grid][torch.as_tensor(~mask)] == -math.inf).all()
    assert torch.equal(part["recorded"][2][torch.as_tensor(mask)], full["recorded"][2][torch.as_tensor(mask)])
    with pytest.raises(ValueError, match="mask of shape"):
        refit_grid(fitted, owner, images, [0, 1], [2, 3], 1, params, mask=mask[:1])


def screening_cp(used=20):
    return {"k": 2, "refit": {"iterations": used, "lr_render": 0.6},
            "screening": {"screen_at": [5], "keep": [1, 4], "check_at": 20, "tolerance": 5.0,
                          "long_run": {"screen_at": 5, "keep": 4, "record_at": [20, 40]}}}


def screened_episode(seed):
    ps, fwd, rev = episode_grids(seed)
    full = {"forward": fwd, "reverse": rev}
    short = {"forward": fwd + torch.randn(fwd.shape, generator=torch.Generator().manual_seed(seed + 9)).double() * 40,
             "reverse": rev}
    two_way = episode_scores(ps[:4], ps[4:], fwd, rev)["two_way"]
    labels = predictions(two_way)
    labels[0] = (labels[0] + 1) % 4  # one trial wrong at check_at
    return {"run": f"run{seed:02d}", "n_way": 4, "labels": labels, "parse_scores": ps, "pairs": 64,
            "grids": {5: short, 20: full}, "check_at": 20, "check_seconds": 64 * 20 * 0.001,
            "parse_seconds": 1.0, "fit_seconds": 1.0}


def test_the_pooled_screening_counts_kept_winners_changed_decisions_and_the_long_curve():
    cp = screening_cp()
    screened = [screened_episode(1), screened_episode(2)]
    # the long run keeps every class (keep 4 of 4): its count-20 grid is the unscreened one
    long = [{"run": s["run"], "screen_at": 5, "keep": 4, "counts": [20, 40], "pairs": 64, "seconds": 64 * 40 * 0.001,
             "grids": {20: s["grids"][20], 40: s["grids"][20]}} for s in screened]
    out = screening_tables(screened, long, cp, seed=0)
    rows = out["screens"].set_index("keep")
    assert rows.loc[4, "winner_kept_percent"] == 100 and rows.loc[4, "decisions_changed"] == 0
    assert rows.loc[4, "screened_minus_unscreened_points"] == 0
    assert rows.loc[1, "winner_kept_percent"] < 100  # the noisy short refit drops some winners...
    changed = rows.loc[1, "decisions_changed"]
    assert changed == round((100 - rows.loc[1, "winner_kept_percent"]) / 100 * 8)  # ...and only those change
    assert out["unscreened_error_at_check"] == pytest.approx(100 * 2 / 8)
    curve = out["curve"].set_index("refit_iterations")
    assert curve.loc[20, "error_two_way"] == pytest.approx(25.0) and curve.loc[40, "vs_longest_points"] == 0
    assert out["verdict"]["verdict"] == "converged" and out["unscreened_verdict"]["verdict"] == "converged"
    assert out["seconds"]["per_pair_iteration_unscreened"] == pytest.approx(0.001)
    assert out["drift"]["right_to_wrong"] == out["drift"]["wrong_to_right"] == 0  # the same grid at 20 and 40
    assert out["drift"]["median_gain_true_class"] == 0 and out["drift"]["trials"] == 8
    assert curve.loc[40, "unscreened_seconds_per_episode"] == pytest.approx(64 * 40 * 0.001)
    assert curve.loc[20, "vs_unscreened_check_points"] == 0  # keep 4 of 4 at check_at: the unscreened refits
    metrics = {"refit": {"check_at": 20, "lr_render": 0.6, "k": 2}, "validation_episodes": {"runs": 2},
               "unscreened_error_two_way_at_check": out["unscreened_error_at_check"]}
    rows = budget_rows(out["curve"], metrics)
    assert list(rows.refit_iterations) == [20, 20, 40] and list(rows.trials) == [8, 8, 8]
    assert rows.error_two_way.iloc[0] == rows.error_two_way.iloc[1] == pytest.approx(25.0)
    assert rows.vs_params_points.tolist() == [0, 0, 0] and "screened" in rows.row.iloc[2]


def test_screening_settings_that_do_not_fit_together_get_one_line_errors():
    cp = screening_cp()["screening"]
    with pytest.raises(ValueError, match="below check_at"):
        check_screening({**cp, "screen_at": [20]})
    with pytest.raises(ValueError, match="long_run"):
        check_screening({**cp, "long_run": {"screen_at": 7, "keep": 4, "record_at": [20]}})


def test_the_long_run_refits_only_the_pairs_its_screen_keeps():
    from charchallenge.gns2021.fit import FitParams, fit_parses

    tm = tiny_type_model()
    images = np.stack([image(T), image(L), image(L), image(T)]) > 0.5
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::10]], [L[0][::20]], [T[0][::10]]]
    owner = np.arange(4)
    fitted = fit_parses(parses, torch.tensor(images).float(), tm, params=FitParams(iterations=3))
    ps = parse_score_table(fitted, owner, 1)
    params = RefitParams(iterations=2, blur_steps=3)
    fwd = refit_grid(fitted, owner, images, [0, 1], [2, 3], 1, params)["scores"]
    rev = refit_grid(fitted, owner, images, [2, 3], [0, 1], 1, params)["scores"]
    screened = {"run": "run01", "n_way": 2, "images": images, "fitted": fitted, "owner": owner, "parse_scores": ps,
                "grids": {2: {"forward": fwd, "reverse": rev}}}
    cp = {"k": 1, "refit": {"iterations": 3, "lr_render": 0.6, "blur_steps": 3},
          "screening": {"long_run": {"screen_at": 2, "keep": 1, "record_at": [3, 4]}}}
    out = long_refits(screened, cp)
    kept = screened_classes(ps, 2, fwd, rev, 1)
    assert out["pairs"] == 4 and out["counts"] == [3, 4]  # 2 test items x 1 class x 2 directions
    for it in (3, 4):
        assert torch.isfinite(out["grids"][it]["forward"][torch.as_tensor(kept.T)]).all()
        assert (out["grids"][it]["reverse"][torch.as_tensor(~kept)] == -math.inf).all()


def test_the_drift_counts_decisions_that_longer_refits_turn_and_the_gains_behind_them():
    from charchallenge.gns2021.screening import score_drift

    ps = torch.zeros(4, 1).double()
    first = {"forward": torch.tensor([[[-10.0], [-30.0]], [[-20.0], [-10.0]]]).double(),  # (C, T, K)
             "reverse": torch.zeros(2, 2, 1).double()}
    last = {"forward": first["forward"].clone(), "reverse": first["reverse"].clone()}
    last["forward"][1, 0] = -5.0  # trial 0: the wrong class 1 gains 15 nats and overtakes the true class 0
    s = {"n_way": 2, "labels": np.array([0, 1]), "parse_scores": ps}
    d = score_drift([s], [{"grids": {10: first, 20: last}}], 10, 20)
    assert d["right_to_wrong"] == 1 and d["wrong_to_right"] == 0 and d["trials"] == 2
    assert d["median_gain_true_class"] == 0 and d["median_gain_best_other_class"] == pytest.approx(7.5)
