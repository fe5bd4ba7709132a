"""Feinman & Lake (2020) sampling: the shared stroke-step sampler agrees with its density, the
on-canvas rejection sampler, and the diversity measure used for the temperature claim."""

import numpy as np
import pytest
import torch

from charchallenge.feinman2020.full_ns import FullNS
from charchallenge.feinman2020.sampling import (diversity_ratio, draw_on_canvas, mean_pairwise, on_canvas,
                                                pixel_distances)
from charchallenge.feinman2020.stroke_steps import sample_strokes, stroke_log_prob
from charchallenge.mixtures import GMM

torch.set_num_threads(1)


def constant_step(end_logit: float, k: int = 3):
    """A stroke decoder whose every step emits the same GMM and end logit (state counts steps)."""
    torch.manual_seed(0)
    gmm = GMM(torch.randn(k), torch.randn(k, 2), torch.rand(k, 2) + 0.2, torch.rand(k) - 0.5)

    def step(state, prev):
        m = len(prev)
        g = GMM(gmm.logits.expand(m, k), gmm.mu.expand(m, k, 2), gmm.sigma.expand(m, k, 2), gmm.rho.expand(m, k))
        return g, torch.full((m,), end_logit), state + 1

    return step, gmm


def test_sampled_strokes_score_their_own_log_probability():
    step, gmm = constant_step(end_logit=-1.0)
    offsets, n_cp, lp = sample_strokes(step, 0, 200, 1.0, torch.Generator().manual_seed(3), max_control_points=40)
    assert (n_cp >= 1).all() and (n_cp < 40).all()  # none truncated at this hazard
    t = offsets.shape[1] + 1
    m = len(n_cp)
    g = GMM(gmm.logits.expand(m, t, 3), gmm.mu.expand(m, t, 3, 2), gmm.sigma.expand(m, t, 3, 2), gmm.rho.expand(m, t, 3))
    lp_off, lp_end = stroke_log_prob(g, torch.full((m, t), -1.0), offsets, n_cp)
    torch.testing.assert_close(lp_off + lp_end, lp, atol=1e-4, rtol=1e-5)
    # offsets beyond a stroke's end are zero padding
    for j in range(m):
        assert torch.count_nonzero(offsets[j, n_cp[j] - 1:]) == 0


def test_stroke_length_is_geometric_in_the_end_probability():
    """P(k control points) = (1 - p)^(k-1) p: the mean is 1/p."""
    p = 0.25
    step, _ = constant_step(end_logit=float(np.log(p / (1 - p))))
    _, n_cp, _ = sample_strokes(step, 0, 4000, 1.0, torch.Generator().manual_seed(0), max_control_points=200)
    assert abs(n_cp.double().mean().item() - 1 / p) < 0.2


def test_forced_end_truncates_strokes():
    step, _ = constant_step(end_logit=-20.0)  # never ends by itself
    offsets, n_cp, _ = sample_strokes(step, 0, 5, 1.0, torch.Generator().manual_seed(0), max_control_points=7)
    assert n_cp.tolist() == [7] * 5 and offsets.shape == (5, 6, 2)


class Scripted:
    """A stand-in model whose k-th drawing is on the canvas when ``pattern[k % len]`` is true."""

    def __init__(self, pattern):
        self.pattern, self.k = pattern, 0

    def sample(self, n, temperature, generator, max_strokes, max_control_points):
        out = []
        for _ in range(n):
            y = -50.0 if self.pattern[self.k % len(self.pattern)] else 500.0
            out.append([np.array([[50.0, y], [60.0, y]]) + [self.k * 1e-3, 0]])
            self.k += 1
        return out, torch.arange(n, dtype=torch.float32)


def test_on_canvas_uses_the_pixel_convention():
    assert on_canvas([np.array([[10.0, -10.0], [90.0, -90.0]])])
    assert not on_canvas([np.array([[10.0, 10.0], [20.0, 5.0]])])  # above the top (y > 0)
    assert not on_canvas([np.array([[50.0, -50.0]]), np.array([[100.0, -50.0], [120.0, -50.0]])])


def test_rejection_keeps_on_canvas_drawings_in_order_and_counts_draws():
    out = draw_on_canvas(Scripted([True, False, False, True]), 6, 1.0, 0, 3, 5, max_draws_per_sample=10, chunk=4)
    assert out["on_canvas"] == [True] * 6 and all(on_canvas(d) for d in out["drawings"])
    assert out["drawn"] == 12 and out["on_canvas_share"] == 0.5
    xs = [d[0][0, 0] for d in out["drawings"]]
    assert xs == sorted(xs)  # kept in the order drawn


def test_rejection_gives_up_and_flags_the_fill():
    out = draw_on_canvas(Scripted([False]), 3, 1.0, 0, 3, 5, max_draws_per_sample=2, chunk=2)
    assert out["drawn"] == 6 and out["on_canvas_share"] == 0.0
    assert out["on_canvas"] == [False] * 3 and len(out["drawings"]) == 3 and out["logp"].shape == (3,)


def test_draw_on_canvas_from_a_real_model_is_seeded():
    torch.manual_seed(1)
    model = FullNS(location=dict(channels=(4, 4, 4, 4), dense=8), termination=dict(channels=4, dense=4),
                   stroke=dict(hidden=8, layers=1, attention=8, cnn=(4, 4, 8))).eval()
    a = draw_on_canvas(model, 5, 1.0, 7, 3, 6, max_draws_per_sample=40, chunk=10)
    b = draw_on_canvas(model, 5, 1.0, 7, 3, 6, max_draws_per_sample=40, chunk=10)
    assert all(on_canvas(d) for d, ok in zip(a["drawings"], a["on_canvas"]) if ok)
    assert a["drawn"] == b["drawn"] and torch.equal(a["logp"], b["logp"])
    assert all(np.array_equal(x, y) for da, db in zip(a["drawings"], b["drawings"]) for x, y in zip(da, db))


def test_mean_pairwise_leaves_out_pairs_of_one_sample():
    d = pixel_distances(torch.tensor([[0.0], [3.0], [4.0]]))
    assert mean_pairwise(d) == pytest.approx((3 + 4 + 1) / 3)
    assert mean_pairwise(d, np.array([0, 0, 1])) == pytest.approx(3.0)  # the (0, 0) copies do not count


def test_diversity_ratio_of_a_shrunk_set():
    x = torch.randn(60, 5, generator=torch.Generator().manual_seed(0))
    r = diversity_ratio(pixel_distances(0.5 * x), pixel_distances(x), 200, seed=0)
    assert r["ratio"] == pytest.approx(0.5)
    assert r["ratio_ci95"][0] < 0.5 < r["ratio_ci95"][1] < 1.0
    same = diversity_ratio(pixel_distances(x), pixel_distances(x), 200, seed=0)
    assert same["ratio_ci95"][0] < 1.0 < same["ratio_ci95"][1]


def test_novelty_share_interval_is_exact_and_narrows_with_more_samples():
    from charchallenge.feinman2020.classifier import share_interval

    lo, hi = share_interval(0.1, 100)
    assert lo == pytest.approx(0.0490, abs=1e-3) and hi == pytest.approx(0.1762, abs=1e-3)  # Clopper-Pearson
    lo2, hi2 = share_interval(0.1, 1000)
    assert lo < lo2 < 0.1 < hi2 < hi
