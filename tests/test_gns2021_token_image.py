"""GNS token model (exact log-density, sampling, warp) and image model (bounded variables, batched
spline evaluation, Bernoulli likelihood with gradients)."""

import numpy as np
import pytest
import torch
from scipy import stats

from charchallenge.gns2021.image_model import BLUR, EPS, ink_probabilities, log_likelihood, spline_trajectories
from charchallenge.gns2021.token_model import TokenModel, TokenNoise, TokenParams
from charchallenge.preprocess.splines import evaluate_spline
from charchallenge.render import pack_strokes

TYPE = [
    [np.array([[20.0, -20.0], [40.0, -25.0], [60.0, -20.0], [80.0, -30.0]]), np.array([[50.0, -40.0], [50.0, -80.0]])],
    [np.array([[30.0, -60.0], [60.0, -60.0], [70.0, -50.0]])],
]


def packed(dtype=torch.float64):
    return pack_strokes(TYPE, dtype=dtype)


def test_log_prob_is_the_sum_of_the_gaussians():
    p, model = packed(), TokenModel()
    noise = model.sample(p, torch.Generator().manual_seed(0))
    lp = model.log_prob(noise, p)
    prm = TokenParams()
    for d in range(2):
        pts = p.drawing_index == d
        strokes = p.stroke_drawing == d
        want = stats.norm(0, prm.shape_sd).logpdf(noise.shape[pts].numpy()).sum()
        want += stats.norm(0, prm.location_sd).logpdf(noise.location[strokes].numpy()).sum()
        want += stats.multivariate_normal(prm.scale_mean, prm.scale_cov).logpdf(noise.affine[d, :2].numpy())
        want += stats.norm(0, prm.shift_sd).logpdf(noise.affine[d, 2:].numpy()).sum()
        assert lp[d].item() == pytest.approx(want, rel=1e-10)


def test_zero_noise_is_the_type_and_the_warp_acts_about_the_centre_of_mass():
    p, model = packed(), TokenModel()
    zero = model.zero_noise(p)
    torch.testing.assert_close(model.apply(p, zero).points, p.points)
    warp = TokenNoise(zero.shape, zero.location, torch.tensor([[2.0, 0.5, 3.0, -4.0], [1.0, 1.0, 0.0, 0.0]],
                                                               dtype=torch.float64))
    out = model.apply(p, warp).points
    d0 = p.drawing_index == 0
    com = p.points[d0].mean(0)
    torch.testing.assert_close(out[d0], com + torch.tensor([2.0, 0.5], dtype=torch.float64) * (p.points[d0] - com)
                               + torch.tensor([3.0, -4.0], dtype=torch.float64))
    torch.testing.assert_close(out[~d0], p.points[~d0])
    loc = torch.zeros_like(zero.location)
    loc[1] = torch.tensor([5.0, 1.0])  # the second stroke of drawing 0 moves as a whole
    moved = model.apply(p, TokenNoise(zero.shape, loc, zero.affine)).points
    torch.testing.assert_close(moved[p.stroke_index == 1] - p.points[p.stroke_index == 1],
                               torch.tensor([[5.0, 1.0]], dtype=torch.float64).expand(2, 2))


def test_sampled_noise_has_the_stated_spread():
    p = pack_strokes([TYPE[0]] * 4000, dtype=torch.float64)
    noise = TokenModel().sample(p, torch.Generator().manual_seed(1))
    prm = TokenParams()
    assert noise.shape.std().item() == pytest.approx(prm.shape_sd, rel=0.02)
    np.testing.assert_allclose(noise.location.std(0).numpy(), prm.location_sd, rtol=0.03)
    np.testing.assert_allclose(np.cov(noise.affine[:, :2].numpy().T), prm.scale_cov, atol=0.003)
    np.testing.assert_allclose(noise.affine[:, 2:].std(0).numpy(), prm.shift_sd, rtol=0.03)


def test_bounded_reparameterisation_matches_the_reference_start_values():
    assert BLUR.value(torch.tensor(16.0)).item() == pytest.approx(14.15, abs=0.01)
    assert EPS.value(torch.tensor(0.5)).item() == pytest.approx(0.44, abs=0.005)
    for b, v in ((BLUR, 3.0), (EPS, 0.01)):
        assert b.value(b.free(v)).item() == pytest.approx(v, rel=1e-5)
    x = torch.linspace(-100, 100, 101)
    assert BLUR.value(x).min() >= 0.5 and BLUR.value(x).max() <= 16.0


def test_batched_spline_evaluation_equals_per_stroke_evaluation():
    p = packed()
    n = [17, 12, 25]
    traj = spline_trajectories(p, n)
    for s, cp in enumerate([TYPE[0][0], TYPE[0][1], TYPE[1][0]]):
        np.testing.assert_allclose(traj.points[traj.stroke_index == s].numpy(), evaluate_spline(cp, n[s]), atol=1e-12)
    assert traj.stroke_drawing.tolist() == [0, 0, 1] and traj.n_drawings == 2


def test_likelihood_prefers_the_true_image_and_has_gradients():
    p = packed()
    truth = (ink_probabilities(p, 0.0, 0.0) > 0.5).double()
    cp = p.points.clone().requires_grad_(True)
    blur = BLUR.free(2.0).double().requires_grad_(True)
    eps = EPS.free(0.01).double().requires_grad_(True)
    ll = log_likelihood(p.with_points(cp), truth, BLUR.value(blur), EPS.value(eps))
    shifted = log_likelihood(p.with_points(p.points + 6.0), truth, 2.0, 0.01)
    assert (ll > shifted).all()
    ll.sum().backward()
    assert cp.grad.abs().sum() > 0 and blur.grad.abs() > 0 and eps.grad.abs() > 0
    swapped = log_likelihood(p, truth.flip(0), 2.0, 0.01)  # each image scored against the other drawing
    assert (ll.detach() > swapped).all()


def test_differentiable_type_batch_equals_the_feinman_encoding():
    from charchallenge.feinman2020.canvases import partial_canvases
    from charchallenge.feinman2020.encoding import encode, make_batch
    from charchallenge.gns2021.image_model import samples_per_stroke
    from charchallenge.gns2021.type_model import packed_batch

    drawings = TYPE + [[np.array([[50.0, -25.0]]), np.array([[20.0, -70.0], [40.0, -72.0], [60.0, -60.0]])]]
    p = pack_strokes(drawings, dtype=torch.float32)
    got = packed_batch(p, p, samples_per_stroke(p))
    want = make_batch(encode(drawings), torch.arange(len(drawings)), partial_canvases(drawings))
    for field in ("start", "offsets", "n_cp", "prev_point", "drawing", "position", "is_last", "n_strokes"):
        torch.testing.assert_close(getattr(got, field), getattr(want, field), msg=field)
    torch.testing.assert_close(got.canvas_before, want.canvas_before, atol=1e-5, rtol=0)
    torch.testing.assert_close(got.canvas_after, want.canvas_after, atol=1e-5, rtol=0)


def test_type_log_prob_has_gradients_and_matches_the_numpy_path():
    from test_gns2021_parser import tiny_type_model

    from charchallenge.gns2021.image_model import samples_per_stroke
    from charchallenge.gns2021.type_model import type_log_prob

    tm = tiny_type_model()
    p = pack_strokes(TYPE, dtype=torch.float32)
    cp = p.points.clone().requires_grad_(True)
    lp = type_log_prob(tm, p.with_points(cp), p.with_points(cp), samples_per_stroke(p))
    np.testing.assert_allclose(lp.detach().numpy(), tm.log_prob(TYPE), rtol=1e-4)
    lp.sum().backward()
    assert torch.isfinite(cp.grad).all() and cp.grad.abs().sum() > 0


def test_image_likelihood_gradients_pass_gradcheck():
    """Analytic gradients of log P(I | theta) in the control points, blur and eps against finite
    differences (double precision, a generic point: no sample on a pixel edge)."""
    p = packed()
    truth = (ink_probabilities(p, 0.0, 0.0) > 0.5).double()
    n_samples = [12, 10, 11]

    def f(points, blur_x, eps_x):
        return log_likelihood(p.with_points(points), truth, BLUR.value(blur_x), EPS.value(eps_x), n_samples)

    points = (p.points + 0.137).clone().requires_grad_(True)
    blur_x = BLUR.free(torch.tensor([1.7, 2.3])).double().requires_grad_(True)
    eps_x = EPS.free(torch.tensor([0.02, 0.05])).double().requires_grad_(True)
    assert torch.autograd.gradcheck(f, (points, blur_x, eps_x), eps=1e-6, atol=1e-4, rtol=1e-3)


def test_the_image_model_split_at_the_blur_is_the_renderer():
    """ink_canvas then canvas_probabilities (paint once, blur per tuned value) is render()."""
    from charchallenge.gns2021.image_model import canvas_log_likelihood, canvas_probabilities, ink_canvas, samples_per_stroke
    from charchallenge.render import bernoulli_log_likelihood, render

    p = packed(torch.float32)
    n = samples_per_stroke(p)
    blur, eps = torch.tensor([1.5, 3.0]), torch.tensor([0.01, 0.2])
    want = render(spline_trajectories(p, n), blur_sigma=blur, eps=eps, blur_kernel=21)
    canvas = ink_canvas(p, n)
    assert torch.equal(canvas_probabilities(canvas, blur, eps, 21), want)
    assert torch.equal(ink_probabilities(p, blur, eps, n, 21), want)
    images = want > 0.5
    assert torch.equal(canvas_log_likelihood(canvas, images, blur, eps, 21), bernoulli_log_likelihood(want, images))
