"""GNS one-shot classification (Eq. 4-5): the score algebra against explicit sums, and a tiny
2-way episode classified by refitting tokens."""

import math

import numpy as np
import pytest
import torch

from charchallenge.gns2021.classify import (RefitParams, episode_scores, log_marginal_estimate, log_predictive,
                                            predictions, refit_tokens)
from test_gns2021_parser import L, T, image, line, tiny_type_model


def test_eq4_is_a_parse_weighted_mixture_of_refit_likelihoods():
    scores = torch.tensor([-100.0, -101.0, -float("inf")], dtype=torch.float64)  # third parse missing
    refit = torch.tensor([-50.0, -40.0, 0.0], dtype=torch.float64)
    w = np.exp([-100.0, -101.0]) / np.exp([-100.0, -101.0]).sum()
    expected = math.log(w[0] * math.exp(-50.0) + w[1] * math.exp(-40.0))
    assert float(log_predictive(scores, refit)) == pytest.approx(expected)
    assert float(log_marginal_estimate(scores)) == pytest.approx(math.log(math.exp(-100) + math.exp(-101)))
    assert float(log_predictive(scores[:1], refit[:1])) == -50.0  # one parse: its refit score


def test_two_way_score_matches_eq5_term_by_term():
    g = torch.Generator().manual_seed(0)
    c, t, k = 3, 4, 2
    train, test = -torch.rand(c, k, generator=g).double() * 10, -torch.rand(t, k, generator=g).double() * 10
    fwd, rev = -torch.rand(c, t, k, generator=g).double() * 10, -torch.rand(t, c, k, generator=g).double() * 10
    s = episode_scores(train, test, fwd, rev)
    for ti in range(t):
        for ci in range(c):
            f = float(log_predictive(train[ci], fwd[ci, ti]))
            r = float(log_predictive(test[ti], rev[ti, ci]))
            assert float(s["forward"][ti, ci]) == pytest.approx(f)
            assert float(s["two_way"][ti, ci]) == pytest.approx(f + r - float(log_marginal_estimate(train[ci])))
    assert predictions(s["two_way"]).shape == (t,)


def test_refitted_tokens_classify_a_two_way_episode():
    from charchallenge.gns2021.fit import FitParams, fit_parses

    tm = tiny_type_model()
    train = [image(T), image(L)]
    shifted_t = [s + np.array([4.0, -3.0]) for s in T]  # another token: moved, slightly shrunk
    shrunk_l = [50 + 0.9 * (L[0] - 50)]
    test = [image(shrunk_l), image(shifted_t)]  # test 0 is an L, test 1 a T
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::20]]]
    fitted = fit_parses(parses, torch.tensor(np.stack(train)).float(), tm, params=FitParams(iterations=30))
    rows = [c for c in range(2) for _ in range(2)]  # (class, test) pairs: c0t0 c0t1 c1t0 c1t1
    targets = torch.tensor(np.stack([test[j] for _ in range(2) for j in range(2)])).float()
    refit = refit_tokens(fitted, rows, targets, RefitParams(iterations=30, chunk=3)).view(2, 2)  # chunks of 3: 2 batches
    scores = log_predictive(fitted.score[:, None, None], refit[:, :, None]).T  # (test, class), K = 1
    assert predictions(scores).tolist() == [1, 0]
    assert refit[0, 1] > refit[0, 0] and refit[1, 0] > refit[1, 1]  # each type explains its own class best


def test_refit_started_from_the_fitted_image_model_keeps_the_fit_and_returns_tokens():
    """render_start = fitted: with nothing optimised (learning rates 0) a parse refitted to its own
    image scores at least its fit's image and token terms (the blur grid starts at the fitted
    blur), and far above a refit whose blur/eps restart from 16/0.5; the tokens come back."""
    from charchallenge.gns2021.fit import FitParams, fit_parses
    from charchallenge.gns2021.token_model import TokenModel

    tm = tiny_type_model()
    img = torch.tensor(image(T)[None]).float()
    fitted = fit_parses([[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)]], img, tm,
                        params=FitParams(iterations=40))
    frozen = dict(iterations=1, lr=0.0, lr_render=0.0, blur_kernel=11)
    tokens = []
    kept = refit_tokens(fitted, [0], img, RefitParams(**frozen, render_start="fitted"), tokens=tokens)
    reset = refit_tokens(fitted, [0], img, RefitParams(**frozen, render_start="reset"))
    assert float(kept) >= float(fitted.image_ll[0] + fitted.token_lp[0]) - 0.05  # eps kept inside its bound
    assert float(kept) > float(reset) + 50
    assert len(tokens) == 1 and len(tokens[0]) == 2
    fitted_token = TokenModel().apply(fitted.type_cp, fitted.noise).points.numpy()  # nothing moved
    assert np.allclose(np.concatenate(tokens[0]), fitted_token, atol=1e-4)
    with pytest.raises(ValueError, match="render_start"):
        refit_tokens(fitted, [0], img, RefitParams(**frozen, render_start="other"))


def test_refit_grid_puts_every_pairs_refit_in_its_cell_and_the_parse_table_pads_missing_parses():
    from charchallenge.gns2021.classify import parse_score_table, refit_grid
    from charchallenge.gns2021.fit import FitParams, fit_parses

    tm = tiny_type_model()
    images = np.stack([image(T), image(L), image(L)])
    # image 0 has two parses, image 1 one (image 2 is only a target)
    parses = [[line([20, -20], [80, -20], 4), line([50, -20], [50, -80], 3)], [L[0][::10]], [L[0][::20]]]
    owner = [0, 0, 1]
    fitted = fit_parses(parses, torch.tensor(images[owner]).float(), tm, params=FitParams(iterations=3))
    table = parse_score_table(fitted, owner, 2)
    assert table[0].tolist() == fitted.score[:2].double().tolist()
    assert table[1, 0] == fitted.score[2] and table[1, 1] == -math.inf
    params = RefitParams(iterations=3, blur_steps=3)
    out = refit_grid(fitted, owner, images, [0, 1], [2, 0], 2, params, record_at=[1, 2, 5])
    assert out["scores"].shape == (2, 2, 2) and sorted(out["recorded"]) == [1, 2] and out["pairs"] == 6
    rows, targets = [0, 0, 1, 1, 2, 2], torch.tensor(images[[2, 0, 2, 0, 2, 0]]).float()
    direct = refit_tokens(fitted, rows, targets, params).double()
    cells = [(0, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1), (1, 0, 0), (1, 1, 0)]
    assert [float(out["scores"][c]) for c in cells] == direct.tolist()
    assert float(out["scores"][1, 0, 1]) == 0.0  # image 1 has no second parse: weight 0 via the table


def test_the_refit_count_is_the_smallest_within_tolerance_of_the_lowest_error():
    from charchallenge.gns2021.classify import sized_iterations

    counts, errors = [15, 30, 45, 60, 100], [55.0, 30.0, 20.0, 15.0, 10.0]
    assert sized_iterations(counts, errors, 2.5) == 100
    assert sized_iterations(counts, errors, 5.0) == 60
    assert sized_iterations(counts, [40.0, 20.0, 21.0, 22.0, 20.0], 2.5) == 30  # a plateau: the first count on it
    with pytest.raises(ValueError, match="sizing"):
        sized_iterations(counts, [1.0, float("nan"), 1.0, 1.0, 1.0], 2.5)


def test_the_refit_setting_is_the_cheapest_within_tolerance_of_the_lowest_error():
    from charchallenge.gns2021.classify import sized_refit

    cells = [{"lr_render": lr, "refit_iterations": it, "error_two_way": e}
             for lr, it, e in [(0.09, 30, 40.0), (0.09, 60, 25.0), (0.09, 100, 20.0),
                               (0.3, 30, 30.0), (0.3, 60, 19.0), (0.3, 100, 18.0), (0.6, 60, 21.0)]]
    assert sized_refit(cells, 2.5) == cells[4]                    # 60 iterations at 0.3: within 1 of 18
    assert sized_refit(cells, 0.5)["refit_iterations"] == 100     # only the lowest itself
    assert sized_refit(cells, 12.5)["lr_render"] == 0.3           # 30 iterations: 0.3 beats 0.09 there
    tie = [{"lr_render": 0.6, "refit_iterations": 30, "error_two_way": 20.0},
           {"lr_render": 0.3, "refit_iterations": 30, "error_two_way": 20.0}]
    assert sized_refit(tie, 0.0)["lr_render"] == 0.3              # equal error and cost: the smaller rate
    with pytest.raises(ValueError, match="sizing"):
        sized_refit([{**cells[0], "error_two_way": float("nan")}], 2.5)


def test_keep_top_keeps_each_images_best_parses_and_drops_the_rest():
    from charchallenge.gns2021.classify import keep_top

    s = torch.tensor([[-5.0, -3.0, -4.0], [-1.0, -float("inf"), -2.0]], dtype=torch.float64)
    top1 = keep_top(s, 1)
    assert top1[0].tolist() == [-float("inf"), -3.0, -float("inf")]
    assert top1[1].tolist() == [-1.0, -float("inf"), -float("inf")]
    assert torch.equal(keep_top(s, 3), s)


def test_trial_outcomes_follow_the_scores_argmax():
    from charchallenge.gns2021.classify import trial_outcomes

    # 2-way, one parse each: image i's refits favour class i strongly, except test item 1 -> class 1 wrongly
    parse = torch.tensor([[-10.0], [-10.0], [-10.0], [-10.0]], dtype=torch.float64)
    fwd = torch.tensor([[[-1.0], [-9.0]], [[-9.0], [-1.0]]], dtype=torch.float64)  # (C, T, K)
    rev = torch.tensor([[[-1.0], [-9.0]], [[-9.0], [-1.0]]], dtype=torch.float64)  # (T, C, K)
    out = trial_outcomes(parse, 2, fwd, rev, np.array([0, 0]))
    assert out["two_way"].tolist() == [True, False] and out["forward"].tolist() == [True, False]
    out = trial_outcomes(parse, 2, fwd, rev, np.array([0, 1]))
    assert out["two_way"].tolist() == [True, True]


def test_oracle_parses_are_the_drawers_strokes_as_minimal_splines():
    from charchallenge.gns2021.episode_fit import oracle_parses

    splines = {"residual_threshold": 0.7, "max_control_points": 50, "resample_step": 1.0}
    straight = np.stack([np.linspace(10, 40, 31), np.full(31, -50.0), np.arange(31.0)], 1)  # x, y, t
    dot = np.array([[60.0, -20.0, 0.0]])
    [parse] = oracle_parses([[straight, dot]], splines)
    assert len(parse) == 2 and parse[1].shape == (1, 2)
    assert parse[0].shape[0] <= 2 + 1  # a straight line needs few control points
    from charchallenge.preprocess.splines import evaluate_spline

    curve = np.asarray(evaluate_spline(parse[0], 50))
    np.testing.assert_allclose(curve[[0, -1]], [[10, -50], [40, -50]], atol=1.5)  # the spline spans the stroke
    np.testing.assert_allclose(parse[1][0], [60, -20])
    with pytest.raises(ValueError, match="without strokes"):
        oracle_parses([[]], splines)
