"""GNS token model P(theta | psi) (Feinman & Lake 2021, Sec. 3 "Token model", Eq. 2; Appendix A.3,
Fig. A7 GenerateToken), in pixel units (motor px, ``shared/reference/gns-facts.md`` section 3).

A type psi is a set of strokes, each a minimal spline of control points (motor px). A token
applies, in order:

1. part (shape) noise: every control point coordinate gets independent N(0, shape_sd^2) noise,
   ``P(x_i^(m) | x_i)``;
2. location noise: one 2-D offset per stroke, N(0, diag(loc_sd^2)), added to all its control
   points (it moves the stroke's start, and the offsets are unchanged), ``P(y_i^(m) | y_i)``;
3. an affine warp A = (s_x, s_y, t_x, t_y) about the centre of mass of all control points of the
   drawing (after steps 1-2): ``p' = com + s * (p - com) + t``, with
   ``P(A) = N([1, 1, 0, 0], Sigma_A)`` (Eq. 7), scale and shift independent.

Everything is batched over many drawings in the packed layout of :mod:`charchallenge.render`
(:class:`~charchallenge.render.PackedStrokes` of control points), so that the tokens of many
parses are sampled, warped and scored in single tensor operations. :meth:`TokenModel.log_prob`
is the exact log-density of the noise variables (nats per drawing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from charchallenge.render import PackedStrokes

_LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class TokenParams:
    """BPL's token noise, fitted to the background drawings (Lake et al. 2015; facts section 3)."""

    shape_sd: float = 3.3593
    location_sd: tuple[float, float] = (1.3536, 1.2056)
    scale_mean: tuple[float, float] = (1.0, 1.0)
    scale_cov: tuple[tuple[float, float], tuple[float, float]] = ((0.0470, 0.0223), (0.0223, 0.0359))
    shift_sd: tuple[float, float] = (5.2658, 5.0867)


@dataclass
class TokenNoise:
    """The token-level variables of a batch of drawings: ``shape (P, 2)`` per control point,
    ``location (S, 2)`` per stroke, ``affine (D, 4)`` per drawing (s_x, s_y, t_x, t_y)."""

    shape: Tensor
    location: Tensor
    affine: Tensor


def identity_affine(n: int, dtype=torch.float32, device="cpu") -> Tensor:
    return torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=dtype, device=device).repeat(n, 1)


class TokenModel:
    """Sampling, applying and scoring token noise for packed control points."""

    def __init__(self, params: TokenParams | None = None):
        self.params = params or TokenParams()

    def _tensors(self, like: Tensor):
        p = self.params
        f = dict(dtype=like.dtype, device=like.device)
        scale_cov = torch.tensor(p.scale_cov, **f)
        return (torch.tensor(p.location_sd, **f), torch.tensor(p.scale_mean, **f), scale_cov,
                torch.linalg.cholesky(scale_cov), torch.tensor(p.shift_sd, **f))

    def zero_noise(self, packed: PackedStrokes) -> TokenNoise:
        """The noise of the type itself (no shape or location noise, identity warp)."""
        pts = packed.points
        return TokenNoise(torch.zeros_like(pts), pts.new_zeros(packed.n_strokes, 2),
                          identity_affine(packed.n_drawings, pts.dtype, pts.device))

    def sample(self, packed: PackedStrokes, generator: torch.Generator | None = None) -> TokenNoise:
        """Draw token noise for every drawing of ``packed`` (GenerateToken, Fig. A7)."""
        pts = packed.points
        loc_sd, scale_mean, _, scale_chol, shift_sd = self._tensors(pts)

        def randn(*shape):
            return torch.randn(*shape, generator=generator, dtype=pts.dtype, device="cpu").to(pts.device)

        shape = randn(*pts.shape) * self.params.shape_sd
        location = randn(packed.n_strokes, 2) * loc_sd
        scale = scale_mean + randn(packed.n_drawings, 2) @ scale_chol.T
        shift = randn(packed.n_drawings, 2) * shift_sd
        return TokenNoise(shape, location, torch.cat([scale, shift], -1))

    def log_prob(self, noise: TokenNoise, packed: PackedStrokes) -> Tensor:
        """Exact log-density (nats) of the token variables, per drawing ``(D,)``."""
        pts = packed.points
        loc_sd, scale_mean, scale_cov, scale_chol, shift_sd = self._tensors(pts)
        sd = self.params.shape_sd
        lp_shape = (-0.5 * (noise.shape / sd) ** 2 - math.log(sd) - 0.5 * _LOG_2PI).sum(-1)
        lp_loc = (-0.5 * (noise.location / loc_sd) ** 2 - torch.log(loc_sd) - 0.5 * _LOG_2PI).sum(-1)
        d = noise.affine[:, :2] - scale_mean
        maha = (torch.cholesky_solve(d[..., None], scale_chol)[..., 0] * d).sum(-1)
        lp_scale = -0.5 * maha - torch.log(torch.diagonal(scale_chol)).sum() - _LOG_2PI
        lp_shift = (-0.5 * (noise.affine[:, 2:] / shift_sd) ** 2 - torch.log(shift_sd) - 0.5 * _LOG_2PI).sum(-1)
        per_drawing = pts.new_zeros(packed.n_drawings)
        per_drawing = per_drawing.index_add(0, packed.drawing_index, lp_shape)
        per_drawing = per_drawing.index_add(0, packed.stroke_drawing, lp_loc)
        return per_drawing + lp_scale + lp_shift

    @staticmethod
    def apply(packed: PackedStrokes, noise: TokenNoise) -> PackedStrokes:
        """The token's control points: shape noise, location noise, then the affine warp about
        each drawing's centre of mass of control points. Differentiable in points and noise."""
        p = packed.points + noise.shape + noise.location[packed.stroke_index]
        d = packed.n_drawings
        counts = p.new_zeros(d).index_add(0, packed.drawing_index, torch.ones_like(p[:, 0]))
        com = p.new_zeros(d, 2).index_add(0, packed.drawing_index, p) / counts.clamp(min=1)[:, None]
        a = noise.affine[packed.drawing_index]
        c = com[packed.drawing_index]
        return packed.with_points(c + a[:, :2] * (p - c) + a[:, 2:])
