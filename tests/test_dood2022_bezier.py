"""DooD's Bezier renderer: the curve's algebra, the distance field against brute force, what the
ink looks like, batching, and gradients (gradcheck) with respect to control points, width and
sharpness."""

import math

import pytest
import torch

from charchallenge.dood2022.bezier import (bernstein_basis, composite, curve_points, pixel_centres,
                                           polyline_distance, render_curves)


def test_bernstein_basis_is_a_partition_of_unity_and_curves_start_and_end_at_their_end_points():
    basis = bernstein_basis(11, 3, torch.float64)
    assert torch.allclose(basis.sum(1), torch.ones(11, dtype=torch.float64))
    control = torch.tensor([[[-0.5, 0.2], [0.0, -0.8], [0.3, 0.9], [0.6, 0.1]]], dtype=torch.float64)
    pts = curve_points(control, 11)
    assert torch.allclose(pts[0, 0], control[0, 0]) and torch.allclose(pts[0, -1], control[0, -1])
    u = 0.3  # one point against the explicit cubic
    expected = sum(math.comb(3, d) * u**d * (1 - u) ** (3 - d) * control[0, d] for d in range(4))
    assert torch.allclose(curve_points(control, 11)[0, 3], expected)
    with pytest.raises(ValueError, match="degree"):
        bernstein_basis(5, 0)
    with pytest.raises(ValueError, match="control points"):
        curve_points(torch.zeros(3, 2), 5)


def test_polyline_distance_matches_brute_force_on_a_dense_polyline():
    g = torch.Generator().manual_seed(0)
    points = torch.rand(2, 5, 2, generator=g, dtype=torch.float64) * 2 - 1
    pixels = pixel_centres(6, torch.float64)
    d = polyline_distance(pixels, points)
    u = torch.linspace(0, 1, 2001, dtype=torch.float64)[:, None]
    for n in range(2):
        dense = torch.cat([points[n, i] + u * (points[n, i + 1] - points[n, i]) for i in range(4)])
        brute = torch.cdist(pixels, dense).min(1).values
        assert torch.allclose(d[n], brute, atol=2e-3)


def test_a_straight_stroke_inks_its_row_and_nothing_far_away():
    control = torch.tensor([[[-0.8, 0.0], [-0.2, 0.0], [0.2, 0.0], [0.8, 0.0]]])
    img = render_curves(control, size=28, width=0.05, sharpness=60.0)[0]
    rows = img.mean(1)
    assert rows.argmax() in (13, 14)                      # y = 0 lies between rows 13 and 14
    assert img[13:15, 4:24].min() > 0.5                  # inked along the stroke
    assert img[:8].max() < 1e-3 and img[20:].max() < 1e-3
    assert 0 <= float(img.min()) and float(img.max()) <= 1


def test_batch_renders_each_curve_as_alone_with_per_curve_width():
    g = torch.Generator().manual_seed(1)
    control = torch.rand(3, 4, 2, generator=g) * 1.6 - 0.8
    width = torch.tensor([0.02, 0.05, 0.1])
    batch = render_curves(control, width=width)
    for i in range(3):
        assert torch.allclose(batch[i], render_curves(control[i : i + 1], width=float(width[i]))[0], atol=1e-6)
    assert batch[2].sum() > batch[0].sum()  # wider strokes carry more ink


def test_composite_is_a_probabilistic_or():
    a, b = torch.tensor([0.0, 0.5, 1.0]), torch.tensor([0.3, 0.5, 0.2])
    assert torch.allclose(composite(a, b), torch.tensor([0.3, 0.75, 1.0]))
    assert torch.allclose(composite(a, b), composite(b, a))


def test_gradients_of_ink_match_finite_differences():
    g = torch.Generator().manual_seed(2)
    control = (torch.rand(2, 3, 2, generator=g, dtype=torch.float64) * 1.2 - 0.6).requires_grad_(True)
    width = torch.tensor([0.15, 0.2], dtype=torch.float64, requires_grad=True)
    sharpness = torch.tensor([8.0, 12.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda c, w, s: render_curves(c, size=8, width=w, sharpness=s, n_points=9),
                                    (control, width, sharpness), eps=1e-6, atol=1e-5)
