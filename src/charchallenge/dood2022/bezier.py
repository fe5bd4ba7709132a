"""DooD's rendering module (Liang et al. 2022, Sec. 2.1 "Rendering Module"): a differentiable
renderer dR of D-th order Bezier curves onto the canvas, batched.

A stroke s~_t is D + 1 control points c_0..c_D in canvas coordinates ([-1, 1]^2, x to the right,
y downwards, the spatial-transformer convention). The curve is

    B(u) = sum_d  binom(D, d) u^d (1 - u)^(D - d) c_d,      u in [0, 1]

evaluated at ``n_points`` values of u (one matrix product with the Bernstein basis), joined into a
polyline. Each pixel's ink is a soft step of its distance r to that polyline,

    ink = sigmoid((width - r) * sharpness),

so ink is about 1 within ``width`` of the curve and falls off over about 1 / ``sharpness``. The
distance to a segment is exact (projection clamped to the segment), and the minimum over segments
is taken, so gradients reach every control point, the width and the sharpness. The main text
leaves the renderer's details to an appendix that is not public; this is our choice, written here.

Strokes are composited onto the canvas-so-far by probabilistic "or" (:func:`composite`):
x_<=t = x_<t + x_t - x_<t x_t, which stays in [0, 1] and is differentiable in both.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def bernstein_basis(n_points: int, degree: int, dtype=torch.float32, device=None) -> Tensor:
    """(n_points, degree + 1): row i holds the Bernstein polynomials of ``degree`` at u_i, u evenly
    spaced over [0, 1]."""
    if n_points < 2 or degree < 1:
        raise ValueError(f"a Bezier curve needs n_points >= 2 and degree >= 1, got {n_points} and {degree}")
    u = torch.linspace(0, 1, n_points, dtype=dtype, device=device)[:, None]
    d = torch.arange(degree + 1, dtype=dtype, device=device)
    binom = torch.tensor([math.comb(degree, k) for k in range(degree + 1)], dtype=dtype, device=device)
    return binom * u**d * (1 - u) ** (degree - d)


def curve_points(control: Tensor, n_points: int) -> Tensor:
    """Points (N, n_points, 2) along the curves with control points ``control`` (N, D + 1, 2)."""
    if control.ndim != 3 or control.shape[-1] != 2:
        raise ValueError(f"control points must be (N, D + 1, 2), got {tuple(control.shape)}")
    basis = bernstein_basis(n_points, control.shape[1] - 1, control.dtype, control.device)
    return basis @ control


def pixel_centres(size: int, dtype=torch.float32, device=None) -> Tensor:
    """(size * size, 2) pixel centres (x, y) in [-1, 1], row by row (the order of ``img.flatten()``)."""
    c = (torch.arange(size, dtype=dtype, device=device) + 0.5) / size * 2 - 1
    y, x = torch.meshgrid(c, c, indexing="ij")
    return torch.stack([x.flatten(), y.flatten()], -1)


def polyline_distance(pixels: Tensor, points: Tensor) -> Tensor:
    """Distance (N, P) from each pixel (P, 2) to the polyline through ``points`` (N, S, 2).

    x and y are kept as separate tensors (N, S - 1, P): reductions over a trailing axis of
    length 2 cost more than the arithmetic itself on a CPU."""
    a, ab = points[:, :-1], points[:, 1:] - points[:, :-1]          # (N, S-1, 2)
    ax, ay, abx, aby = (v[..., None] for v in (a[..., 0], a[..., 1], ab[..., 0], ab[..., 1]))
    dx, dy = pixels[:, 0] - ax, pixels[:, 1] - ay                     # (N, S-1, P)
    t = ((dx * abx + dy * aby) / (abx * abx + aby * aby).clamp(min=1e-12)).clamp(0, 1)  # projection
    ex, ey = dx - t * abx, dy - t * aby
    return (ex * ex + ey * ey).min(1).values.clamp(min=1e-12).sqrt()


def render_curves(control: Tensor, size: int = 28, width: Tensor | float = 0.04,
                  sharpness: Tensor | float = 40.0, n_points: int = 32) -> Tensor:
    """Ink (N, size, size) in [0, 1] of N Bezier curves (control points (N, D + 1, 2) in [-1, 1]);
    ``width`` and ``sharpness`` a number or one per curve (N,)."""
    n = control.shape[0]
    pixels = pixel_centres(size, control.dtype, control.device)
    r = polyline_distance(pixels, curve_points(control, n_points))  # (N, P)
    width = torch.as_tensor(width, dtype=control.dtype, device=control.device).reshape(-1, 1)
    sharpness = torch.as_tensor(sharpness, dtype=control.dtype, device=control.device).reshape(-1, 1)
    return torch.sigmoid((width - r) * sharpness).reshape(n, size, size)


def composite(canvas: Tensor, stroke: Tensor) -> Tensor:
    """Sec. 2.1 "Compositing Module": the stroke drawn over the canvas-so-far (probabilistic or)."""
    return canvas + stroke - canvas * stroke
