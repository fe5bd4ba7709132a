"""Tests for charchallenge.render: the batched differentiable stroke renderer."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from charchallenge.render import (
    CANVAS_SIZE,
    apply_pixel_noise,
    bernoulli_log_likelihood,
    broaden,
    gaussian_blur,
    ink_points,
    motor_to_pixel,
    pack_strokes,
    paint,
    pixel_to_motor,
    render,
    resize_canvas,
)

F64 = torch.float64


def line(x0, y0, x1, y1, n=2, dtype=F64):
    """Stroke of n evenly spaced points from motor (x0, y0) to (x1, y1)."""
    t = torch.linspace(0, 1, n, dtype=dtype)[:, None]
    return torch.tensor([x0, y0], dtype=dtype) * (1 - t) + torch.tensor([x1, y1], dtype=dtype) * t


def centroid(img):
    """Ink centroid (row, col) of one image."""
    r = torch.arange(img.shape[-1], dtype=img.dtype)
    m = img.sum()
    return ((img.sum(1) * r).sum() / m).item(), ((img.sum(0) * r).sum() / m).item()


def random_drawing(rng, n_strokes=3, n_points=30):
    out = []
    for _ in range(n_strokes):
        start = rng.uniform([20, -85], [85, -20])
        steps = rng.normal(0, 1, (n_points - 1, 2)) + rng.normal(0, 1.5, 2)
        out.append(torch.tensor(np.cumsum(np.vstack([start, steps]), 0), dtype=F64))
    return out


def test_motor_pixel_transform_roundtrip():
    xy = torch.tensor([[10.0, -50.0, 123.0], [0.0, 0.0, 5.0]])  # third column (t) is ignored
    rc = motor_to_pixel(xy)
    assert torch.equal(rc, torch.tensor([[50.0, 10.0], [0.0, 0.0]]))
    assert torch.equal(pixel_to_motor(rc), xy[:, :2])
    assert np.array_equal(motor_to_pixel(np.array([[3.0, -7.0]])), [[7.0, 3.0]])


def test_pack_strokes_indices_and_dtype():
    drawings = [[np.array([[1.0, -1.0, 0.0], [2.0, -2.0, 5.0]]), np.array([[3.0, -3.0]])], [], [np.zeros((4, 2))]]
    packed = pack_strokes(drawings)
    assert packed.points.shape == (7, 2) and packed.points.dtype == torch.get_default_dtype()
    assert packed.stroke_index.tolist() == [0, 0, 1, 2, 2, 2, 2]
    assert packed.drawing_index.tolist() == [0, 0, 0, 2, 2, 2, 2]
    assert packed.n_drawings == 3 and packed.n_strokes == 3
    assert pack_strokes([[line(0, 0, 1, 1)]]).points.dtype == F64
    moved = packed.with_points(packed.points + 1)
    assert torch.equal(moved.points, packed.points + 1) and moved.stroke_index is packed.stroke_index


def test_gradcheck_paint():
    pts = torch.tensor([[40.3, -45.2], [41.7, -47.9], [44.2, -46.4]], dtype=F64, requires_grad=True)
    ink = torch.tensor([0.7, 1.3, 0.4], dtype=F64, requires_grad=True)
    which = torch.tensor([0, 0, 1])
    f = lambda p, k: paint(p, k, which, 2)[:, 43:50, 38:47]
    assert torch.autograd.gradcheck(f, (pts, ink))


def test_gradcheck_render_points_sigma_eps():
    a = torch.tensor([[40.3, -45.2], [44.1, -47.9], [46.7, -44.6]], dtype=F64, requires_grad=True)
    b = torch.tensor([[52.2, -40.4], [55.9, -41.3]], dtype=F64, requires_grad=True)
    sigma = torch.tensor(0.8, dtype=F64, requires_grad=True)
    eps = torch.tensor(0.05, dtype=F64, requires_grad=True)

    def f(a, b, sigma, eps):
        return render([[a], [b]], blur_sigma=sigma, eps=eps)[:, 36:52, 36:62]

    assert torch.autograd.gradcheck(f, (a, b, sigma, eps), fast_mode=True)
    # the gradient flows back through pack_strokes to the caller's stroke tensors
    render([[a], [b]]).sum().backward()
    assert a.grad is not None and a.grad.abs().sum() > 0


@pytest.mark.parametrize("xy", [(37.3, -61.7), (10.0, -20.0), (88.55, -4.25)])
def test_single_point_ink_centroid(xy):
    dot = torch.tensor([xy], dtype=F64)
    pts, ink, which = ink_points(pack_strokes([[dot]]))
    painted = paint(pts, ink, which, 1)[0]
    assert painted.sum().item() == pytest.approx(2.0)  # a dot gets GNS's minimum ink
    r, c = centroid(painted)
    assert abs(r + xy[1]) < 0.05 and abs(c - xy[0]) < 0.05
    r, c = centroid(render([[dot]])[0])  # the clamp after broadening shifts it slightly
    assert abs(r + xy[1]) < 0.1 and abs(c - xy[0]) < 0.1


def test_horizontal_line_position_and_width():
    img = render([[line(10, -50, 90, -50)]], spacing=0.5)[0]
    assert (img[48:53, 13:88] == 1).all()  # a 5 px pen line, ink 1 across it
    assert (img[:47] == 0).all() and (img[54:] == 0).all()
    assert (img[:, :7] == 0).all() and (img[:, 94:] == 0).all()
    assert (img[50, 10:91] > 0.9).all()
    # off the pixel grid the same amount of ink spreads over one more row
    img = render([[line(10, -50.5, 90, -50.5)]], spacing=0.5)[0]
    assert torch.allclose(img[47:55, 50], torch.tensor([0, 0.5, 1, 1, 1, 1, 0.5, 0], dtype=F64))


def test_densified_ink_is_independent_of_point_spacing():
    coarse = render([[line(10, -50.3, 90, -50.3, n=2)]], spacing=0.5)
    same_dense_points = render([[line(10, -50.3, 90, -50.3, n=41)]], spacing=0.5)  # 2 px segments
    assert torch.allclose(coarse, same_dense_points, atol=1e-9)
    other_dense_points = render([[line(10, -50.3, 90, -50.3, n=57)]], spacing=0.5)
    assert torch.allclose(coarse, other_dense_points, atol=0.02)
    assert torch.allclose(coarse.sum(), other_dense_points.sum(), rtol=1e-3)


def test_reference_painting_of_trajectory_points_matches_densified_painting():
    """Painting spline-like points (<= 2 px apart) as given - the reference - or densified first
    changes the rendered pen line little (the deviation the `spacing` option allows)."""
    for n in (41, 57, 81):  # 2, 1.43 and 1 px apart
        as_given = render([[line(10, -50.3, 90, -50.3, n=n)]])
        densified = render([[line(10, -50.3, 90, -50.3, n=n)]], spacing=0.5)
        assert (as_given - densified)[..., 15:86].abs().max() < 0.05  # along the line
        assert (as_given - densified).abs().max() < 0.45  # the ends: a full gap of ink in the reference
        assert (as_given > 0.5).eq(densified > 0.5).float().mean() > 0.999
        assert as_given.sum().item() == pytest.approx(densified.sum().item(), rel=0.02)


def test_reference_ink_per_point():
    """facts section 4: ink = min(gap to the previous point, 2); the first point reuses the first
    gap, so both ends get a full share; a stroke below 2 units of ink is scaled up to 2."""
    stroke = torch.tensor([[10.0, -50.0], [11.0, -50.0], [13.5, -50.0]], dtype=F64)
    _, ink, _ = ink_points(pack_strokes([[stroke]]))
    assert ink.tolist() == pytest.approx([1.0, 1.0, 2.0])  # gaps 1, 1, 2.5 capped at 2
    short = torch.tensor([[10.0, -50.0], [10.5, -50.0]], dtype=F64)
    _, ink, _ = ink_points(pack_strokes([[short]]))
    assert ink.tolist() == pytest.approx([1.0, 1.0])  # 0.5 + 0.5 scaled up to 2
    # a point off the canvas is dropped before the gaps are measured
    leaving = torch.tensor([[50.0, -50.0], [51.0, -50.0], [106.0, -50.0]], dtype=F64)
    pts, ink, _ = ink_points(pack_strokes([[leaving]]))
    assert pts.shape == (2, 2) and ink.tolist() == pytest.approx([1.0, 1.0])


def test_reference_canvas_edge():
    """A point in the last pixel column/row (footprint off the canvas) paints nothing; one a pixel
    further in paints its full ink, split over two columns."""
    one = torch.ones(1, dtype=F64)
    at = lambda x, y: paint(torch.tensor([[x, y]], dtype=F64), one, torch.zeros(1, dtype=torch.long), 1)[0]
    assert at(104.5, -50.0).sum().item() == 0.0
    assert at(50.0, -104.5).sum().item() == 0.0
    img = at(103.5, -50.0)
    assert img.sum().item() == pytest.approx(1.0)
    assert img[50, 103].item() == pytest.approx(0.5) and img[50, 104].item() == pytest.approx(0.5)


def test_batch_equals_individual_renders():
    rng = np.random.default_rng(0)
    drawings = [random_drawing(rng) for _ in range(4)] + [[]]
    batch = render(drawings, blur_sigma=0.7)
    for d, img in zip(drawings[:-1], batch):
        assert torch.allclose(img, render([d], blur_sigma=0.7)[0], atol=1e-12)
    assert (batch[-1] == 0).all()  # a drawing with no strokes is blank


def test_strokes_are_not_joined():
    first, second = line(10, -50, 40, -50), line(60, -50, 90, -50)
    img = render([[first, second]], spacing=0.5)[0]
    assert (img[:, 45:56] == 0).all() and (img[50, 12:39] == 1).all() and (img[50, 62:89] == 1).all()
    joined = render([[torch.cat([first, second])]], spacing=0.5)[0]
    assert (joined[50, 45:56] == 1).all()


def test_points_outside_canvas_deposit_nothing():
    outside = [line(120, -50, 200, -50), line(30, 5, 60, 30), line(-40, -10, -5, -90), line(50, -106, 50, -300)]
    img = render([outside, [line(-30, -50, 30, -50)], [torch.zeros(0, 2, dtype=F64)]], spacing=0.5)
    assert img.shape == (3, CANVAS_SIZE, CANVAS_SIZE)
    assert (img[0] == 0).all() and (img[2] == 0).all()
    assert (img[1, 50, :28] == 1).all() and (img[1, :, 33:] == 0).all()
    pts = torch.tensor([[-0.5, -20.0], [20.0, 0.4], [104.9, -104.9]], dtype=F64)  # rows -20, -0.4, 104.9
    painted = paint(pts, torch.ones(3, dtype=F64), torch.zeros(3, dtype=torch.long), 1)
    assert painted.sum().item() == 0.0  # the last one's footprint leaves the canvas
    assert render([[]]).shape == (1, CANVAS_SIZE, CANVAS_SIZE)


def test_size_28_shape_range_and_resize():
    drawings = [[line(10, -50, 90, -50)], [line(50, -10, 50, -95), line(20, -20, 80, -80)]]
    small = render(drawings, size=28, spacing=0.5)
    assert small.shape == (2, 28, 28) and small.dtype == F64
    assert small.min() >= 0 and small.max() <= 1 and small.max() > 0.5
    full = render(drawings, spacing=0.5)
    # plain bilinear, as the reference (no antialiasing)
    expect = F.interpolate(full[:, None], size=(28, 28), mode="bilinear", align_corners=False)
    assert torch.allclose(small, expect[:, 0])
    assert resize_canvas(full, CANVAS_SIZE) is full


def test_blur_spreads_ink_and_keeps_mass():
    drawings = [[line(30, -40, 70, -60)], [line(50, -30, 50, -70)]]
    sharp = render(drawings)
    blurred = render(drawings, blur_sigma=2.0)
    assert blurred.max() <= 1 and (blurred > 0).sum() > (sharp > 0).sum()
    assert torch.allclose(blurred.sum((1, 2)), sharp.sum((1, 2)))  # normalised kernel, far from edges
    per_image = render(drawings, blur_sigma=torch.tensor([2.0, 0.5], dtype=F64))
    assert torch.allclose(per_image[0], blurred[0]) and torch.allclose(per_image[1], render(drawings, blur_sigma=0.5)[1])
    assert torch.allclose(gaussian_blur(sharp, torch.tensor(0.0, dtype=F64)), sharp)
    assert gaussian_blur(sharp, 0.0) is sharp


def test_blur_matches_two_passes_of_2d_gaussian():
    img = torch.rand(2, CANVAS_SIZE, CANVAS_SIZE, dtype=F64, generator=torch.Generator().manual_seed(0))
    r = torch.arange(-5, 6, dtype=F64)
    g = torch.exp(-(r**2) / (2 * 1.3**2))
    k = torch.outer(g, g) / torch.outer(g, g).sum()
    expect = F.conv2d(F.conv2d(img[:, None], k[None, None], padding=5), k[None, None], padding=5)[:, 0].clamp(0, 1)
    assert torch.allclose(gaussian_blur(img, 1.3), expect)


def test_broaden_kernel_is_gns_kernel():
    delta = torch.zeros(1, 9, 9, dtype=F64)
    delta[0, 4, 4] = 0.01
    once = broaden(delta, passes=1)[0, 3:6, 3:6] / 0.01
    a = 0.5
    expect = 6 * torch.tensor([[a / 12, a / 6, a / 12], [a / 6, 1 - a, a / 6], [a / 12, a / 6, a / 12]], dtype=F64)
    assert torch.allclose(once, expect) and expect.sum().item() == pytest.approx(6.0)


def test_pixel_noise():
    img = render([[line(10, -50, 90, -50)]])
    noisy = render([[line(10, -50, 90, -50)]], eps=0.1)
    assert torch.allclose(noisy[img == 0], torch.tensor(0.1, dtype=F64))
    assert torch.allclose(noisy[img == 1], torch.tensor(0.9, dtype=F64))
    p = torch.tensor([[[0.25]], [[0.25]]], dtype=F64)
    out = apply_pixel_noise(p, torch.tensor([0.0, 0.5], dtype=F64))
    assert torch.allclose(out.flatten(), torch.tensor([0.25, 0.5], dtype=F64))


def test_bernoulli_log_likelihood_matches_numpy():
    rng = np.random.default_rng(3)
    probs = rng.uniform(0, 1, (3, 10, 10))
    probs[0, 0, :3] = [0.0, 1.0, 1.0]
    binary = rng.uniform(0, 1, (3, 10, 10)) < 0.3
    binary[0, 0, :3] = [True, False, True]
    p = np.clip(probs, 1e-6, 1 - 1e-6)
    expect = np.where(binary, np.log(p), np.log(1 - p)).sum((1, 2))
    got = bernoulli_log_likelihood(torch.tensor(probs), torch.tensor(binary))
    assert got.shape == (3,)
    np.testing.assert_allclose(got.numpy(), expect, rtol=1e-10)


def test_dtypes_follow_points():
    for dtype in (torch.float32, F64):
        img = render([[line(10, -50, 90, -50, dtype=dtype)]], size=28, blur_sigma=0.5, eps=1e-3)
        assert img.dtype == dtype
    img32 = render([[line(10, -50, 90, -50, dtype=torch.float32)]])
    assert torch.allclose(img32.double(), render([[line(10, -50, 90, -50)]]), atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():
    rng = np.random.default_rng(1)
    drawings = [random_drawing(rng) for _ in range(3)]
    cpu = render(drawings, size=28, blur_sigma=0.5, eps=0.01)
    gpu = render([[s.cuda() for s in d] for d in drawings], size=28, blur_sigma=0.5, eps=0.01)
    assert gpu.is_cuda and torch.allclose(gpu.cpu(), cpu, atol=1e-9)
