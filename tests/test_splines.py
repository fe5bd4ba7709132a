"""Tests for the minimal B-spline representation (charchallenge.preprocess.splines)."""

import numpy as np
import pytest
import torch

from charchallenge.preprocess.splines import (
    SplineFit,
    arc_length,
    evaluate_spline,
    fit_drawing,
    fit_minimal_spline,
    resample_unif_space,
    resample_uniform,
    spline_basis,
    spline_basis_torch,
    spline_to_trajectory,
)


def _loss(points, k):
    """Least-squares loss with k control points on the resampled stroke (independent lstsq)."""
    y = resample_unif_space(points)
    basis = spline_basis(len(y), k)
    coef = np.linalg.lstsq(basis, y, rcond=None)[0]
    return ((y - basis @ coef) ** 2).sum() / len(y)


def _circle(radius=20.0, n=400):
    a = np.linspace(0, 2 * np.pi, n)
    return np.stack([50 + radius * np.cos(a), -50 + radius * np.sin(a)], axis=1)


def _curves():
    t = np.linspace(0, 1, 300)
    return {
        "arc": np.stack([30 + 40 * np.cos(2 * t), -50 + 40 * np.sin(2 * t)], axis=1),
        "wave": np.stack([10 + 80 * t, -50 + 15 * np.sin(4 * np.pi * t)], axis=1),
        "spiral": np.stack([50 + 30 * t * np.cos(6 * t), -50 + 30 * t * np.sin(6 * t)], axis=1),
        "circle": _circle(),
    }


@pytest.mark.parametrize("n, k", [(1, 1), (5, 1), (7, 2), (30, 3), (50, 6), (120, 20)])
def test_basis_rows_sum_to_one_and_endpoints(n, k):
    basis = spline_basis(n, k)
    assert basis.shape == (n, k) and basis.dtype == np.float64
    np.testing.assert_allclose(basis.sum(axis=1), 1.0, atol=1e-12)
    assert (basis >= 0).all()
    if k >= 2 and n >= 2:
        np.testing.assert_allclose(basis[0, :2], [0.8, 0.2], atol=1e-12)
        np.testing.assert_allclose(basis[-1, -2:], [0.2, 0.8], atol=1e-12)
        np.testing.assert_allclose(basis[0, 2:], 0.0, atol=1e-12)
        np.testing.assert_allclose(basis[-1, :-2], 0.0, atol=1e-12)


def test_curve_ends_are_not_end_control_points():
    cp = np.array([[0.0, 0.0], [10.0, 5.0], [20.0, -3.0], [30.0, 4.0], [40.0, 0.0]])
    curve = evaluate_spline(cp, 50)
    np.testing.assert_allclose(curve[0], 0.8 * cp[0] + 0.2 * cp[1], atol=1e-12)
    np.testing.assert_allclose(curve[-1], 0.2 * cp[-2] + 0.8 * cp[-1], atol=1e-12)


def test_interior_basis_is_cardinal_cubic_bspline():
    # with k = 8 at parameter s = 5 (integer, interior) the weights are 1/6, 4/6, 1/6 on c2..c4
    basis = spline_basis(8, 8)  # s = linspace(2, 9, 8) = 2, 3, ..., 9
    np.testing.assert_allclose(basis[3], [0, 0, 1 / 6, 4 / 6, 1 / 6, 0, 0, 0], atol=1e-12)


def test_one_control_point_is_a_dot_two_a_segment():
    dot = evaluate_spline(np.array([[3.0, -4.0]]), 20)
    np.testing.assert_allclose(dot, np.tile([3.0, -4.0], (20, 1)))
    c0, c1 = np.array([0.0, 0.0]), np.array([10.0, -20.0])
    seg = evaluate_spline(np.stack([c0, c1]), 40)
    start, end = 0.8 * c0 + 0.2 * c1, 0.2 * c0 + 0.8 * c1
    direction = (end - start) / np.linalg.norm(end - start)
    offsets = seg - start
    cross = offsets[:, 0] * direction[1] - offsets[:, 1] * direction[0]
    np.testing.assert_allclose(cross, 0.0, atol=1e-9)  # collinear
    np.testing.assert_allclose(seg[[0, -1]], [start, end], atol=1e-12)


def test_resample_even_spacing_and_duplicates():
    # an L of length 7 with duplicate and near-duplicate points; t column ignored
    raw = np.array([[0, 0, 0], [0, 0, 5], [3, 0, 10], [3, 5e-5, 12], [3, 4, 20], [3, 4, 21]], float)
    out = resample_uniform(raw)
    assert out.shape == (7, 2)  # round(7 / 1) points, spaced 7 / 6 along the path
    along = np.arange(7) * 7 / 6
    expected = np.where(along[:, None] <= 3, np.stack([along, 0 * along], 1),
                        np.stack([0 * along + 3, along - 3], 1))
    np.testing.assert_allclose(out, expected, atol=1e-4)
    assert arc_length(raw) == pytest.approx(7.0, abs=1e-3)
    assert arc_length(torch.tensor(raw)) == pytest.approx(7.0, abs=1e-3)
    # a straight stroke with duplicates is resampled exactly evenly
    line = np.array([[0, 0], [0, 0], [2, 0], [2, 0], [2 + 1e-5, 0], [10, 0]], float)
    out = resample_uniform(line, step=0.5)
    assert len(out) == 20
    np.testing.assert_allclose(np.diff(out[:, 0]), 10 / 19)
    np.testing.assert_allclose(out[:, 1], 0.0)


def test_resample_unif_space_is_pybpls():
    """facts section 1: arc length from 1 to L + 1 (first gap set to 1), round((L + 1) / step)
    points from 0, clamped below 1 to the first point: a line 0..10 becomes 0, 0.1, 1.2, ..., 10."""
    out = resample_unif_space(np.array([[0.0, 0.0], [10.0, 0.0]]))
    assert out.shape == (11, 2)
    np.testing.assert_allclose(out[:, 0], np.clip(np.arange(11) * 1.1 - 1.0, 0, None))
    np.testing.assert_allclose(out[:4, 0], [0.0, 0.1, 1.2, 2.3])
    # near-duplicates (< 1e-4 from the previous point) are dropped before measuring
    dup = resample_unif_space(np.array([[0.0, 0.0], [0.0, 5e-5], [10.0, 0.0]]))
    np.testing.assert_allclose(dup, out, atol=1e-4)
    # one distinct point stays one point: a one-control-point spline, a dot
    assert resample_unif_space(np.array([[1.0, 2.0, 0.0]])).shape == (1, 2)
    fit = fit_minimal_spline(np.array([[1.0, 2.0, 0.0]]))
    assert fit.n_control == 1 and np.allclose(fit.control_points, [[1.0, 2.0]])


def test_resample_degenerate_strokes():
    assert resample_uniform(np.array([[1.0, 2.0, 0.0]])).shape == (2, 2)
    out = resample_uniform(np.array([[1.0, 2.0], [1.0, 2.0 + 1e-6]]))
    np.testing.assert_allclose(out, [[1, 2], [1, 2]])
    fit = fit_minimal_spline(np.array([[1.0, 2.0, 0.0]]))
    assert fit.n_control == 1 and fit.residual < 1e-20


def test_straight_line_needs_two_control_points():
    t = np.linspace(0, 1, 50)[:, None]
    line = np.hstack([10 + 60 * t, -20 - 30 * t, 1000 * t])  # (n, 3), t column ignored
    fit = fit_minimal_spline(line)
    assert isinstance(fit, SplineFit)
    assert fit.n_control == 2 and fit.residual < 0.7
    assert _loss(line, 1) >= 0.7
    assert fit.n_points == round(np.hypot(60, 30) + 1)  # pyBPL: arc length 0..L + 1
    # the fitted segment is the line itself (the residual comes from the speed profile only)
    curve = evaluate_spline(fit.control_points, 100)
    cross = (curve[:, 0] - 10) * -30 - (curve[:, 1] + 20) * 60
    np.testing.assert_allclose(cross, 0.0, atol=1e-8)


def test_circle_needs_more_and_meets_threshold():
    fit = fit_minimal_spline(_circle())
    assert fit.n_control > 3
    assert fit.residual < 0.7
    assert _loss(_circle(), fit.n_control - 1) >= 0.7


@pytest.mark.parametrize("name", list(_curves()))
@pytest.mark.parametrize("threshold", [0.7, 0.1])
def test_accepted_k_is_the_first_below_threshold(name, threshold):
    points = _curves()[name]
    fit = fit_minimal_spline(points, threshold=threshold)
    k = fit.n_control
    assert fit.residual < threshold
    assert fit.residual == pytest.approx(_loss(points, k), rel=1e-9, abs=1e-12)
    for smaller in range(1, k):
        assert _loss(points, smaller) >= threshold


def test_no_k_accepted_returns_last_tried():
    fit = fit_minimal_spline(_curves()["spiral"], threshold=1e-9, max_control_points=5)
    assert fit.n_control == 4 and fit.residual >= 1e-9
    # short stroke: k stops before n_points + 1
    fit = fit_minimal_spline(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0]]), threshold=0.0)
    assert fit.n_control == fit.n_points


def test_recovers_known_control_points():
    cp = np.array([[10.0, -60.0], [25.0, -30.0], [45.0, -70.0], [60.0, -20.0], [80.0, -55.0], [95.0, -35.0]])
    # samples on the same parameterisation (s evenly spaced over [2, k + 1]): exact recovery
    samples = evaluate_spline(cp, 120)
    fit = fit_minimal_spline(samples, resample=False)
    assert fit.n_control <= 6 and fit.residual < 0.7
    exact = fit_minimal_spline(samples, threshold=1e-12, resample=False)
    assert exact.n_control == 6 and exact.residual < 1e-20
    np.testing.assert_allclose(exact.control_points, cp, atol=1e-9)
    # the default path resamples uniformly in arc length, which differs from uniform parameter
    # speed (and pyBPL's resampling repeats the first point), so the curve is recovered only
    # approximately
    dense = evaluate_spline(cp, 5000)
    fit = fit_minimal_spline(dense)
    assert fit.n_control <= 7 and fit.residual < 0.7
    np.testing.assert_allclose(evaluate_spline(fit.control_points, 2), dense[[0, -1]], atol=2.0)


def test_torch_matches_numpy_and_has_gradients():
    rng = np.random.default_rng(0)
    cp = rng.normal(size=(7, 2)) * 20
    ref = evaluate_spline(cp, 33)
    cpt = torch.tensor(cp, dtype=torch.float64, requires_grad=True)
    out = evaluate_spline(cpt, 33)
    assert isinstance(out, torch.Tensor) and out.shape == (33, 2)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    out.sum().backward()
    # each sample's weights sum to 1, so d(sum x + sum y)/dc summed over control points = 2 * 33
    assert cpt.grad is not None and cpt.grad.sum().item() == pytest.approx(66.0)
    # batched (..., k, 2)
    batch = torch.tensor(np.stack([cp, cp + 1.0]), dtype=torch.float32)
    out = evaluate_spline(batch, 33)
    assert out.shape == (2, 33, 2) and out.dtype == torch.float32
    np.testing.assert_allclose(out[1].numpy(), ref + 1.0, atol=1e-4)
    assert spline_basis_torch(33, 7) is spline_basis_torch(33, 7)


def test_spline_to_trajectory_point_count():
    long_line = np.array([[0.0, 0.0], [400.0, 0.0]])  # curve length 0.6 * 400 = 240 -> 160 points
    assert spline_to_trajectory(long_line).shape == (160, 2)
    assert spline_to_trajectory(np.array([[0.0, 0.0], [1.0, 0.0]])).shape == (10, 2)
    assert spline_to_trajectory(np.array([[0.0, 0.0], [1000.0, 0.0]])).shape == (200, 2)
    cpt = torch.tensor([[0.0, 0.0], [400.0, 0.0]], requires_grad=True)
    traj = spline_to_trajectory(cpt)
    assert traj.shape == (160, 2) and traj.requires_grad


def test_fit_drawing_removes_short_strokes():
    strokes = [
        np.array([[0.0, 0.0, 0.0], [30.0, 0.0, 10.0]]),
        np.array([[5.0, -5.0, 20.0], [5.5, -5.0, 21.0]]),  # length 0.5
        np.array([[50.0, -50.0, 30.0]]),  # a dot, length 0
        np.array([[0.0, -10.0, 40.0], [0.0, -40.0, 50.0]]),
    ]
    fits, removed = fit_drawing(strokes, min_stroke_length=2.0)
    assert removed == 2 and len(fits) == 2
    assert [f.n_control for f in fits] == [2, 2]
    fits, removed = fit_drawing(strokes[1:3], min_stroke_length=2.0)
    assert fits == [] and removed == 2
    fits, removed = fit_drawing(strokes)
    assert removed == 0 and len(fits) == 4
