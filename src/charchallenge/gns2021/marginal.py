"""Marginal image likelihood by Laplace's method (Feinman & Lake 2021, Sec. 5 "Marginal image
likelihoods", Table 3, Appendix D, Eq. 9-12).

The latent variables z of an image split into discrete ones z_D (number of strokes, control points
per stroke: what a parse fixes) and continuous ones z_C (the type's control points, the token's
shape noise, location noise and affine warp). For any set of discrete configurations,

    P(I) >= sum_k  integral P(I, z_D^k, z_C) dz_C                                   (Eq. 10)

and around the fitted maximum z_C^k of f(z_C) = log P(I, z_D^k, z_C) Laplace's method gives

    integral e^f dz_C  ~  e^f(z_C^k) (2 pi)^(d/2) |-H_f(z_C^k)|^(-1/2)              (Eq. 11)

with d the number of continuous variables and H_f the Hessian of f. The bound of an image is the
log of the sum over its K fitted parses (Eq. 12). The blur sigma and pixel noise epsilon are
parameters of the image model, not latent variables: they stay fixed at the values the continuous
variables were optimised under (the blur before blur tuning, ``FittedParses.fit_blur``).

A parse whose Hessian is not negative definite is not at a peaked maximum (its optimiser stopped
early, or f is flat in some direction) and Eq. 11 does not apply: it is left out of the sum, which
keeps Eq. 10 a lower bound, and counted (``excluded``).

All parses' Hessians come from one batch: the Hessian of the summed objective is block diagonal
(parses share no variable), so Hessian-vector products with a probe that sets coordinate j of
*every* parse give column j of every block at once - ``max d`` products in all, not ``sum d``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from charchallenge.progress import Progress

from .fit import FittedParses
from .image_model import log_likelihood
from .token_model import TokenModel, TokenNoise
from .type_model import TypeModel, type_log_prob

LOG_2PI = math.log(2 * math.pi)


@dataclass
class LaplaceTerms:
    """Per parse: the log joint at the fit ``log_joint``, the number of continuous variables ``dim``,
    log|-H| ``log_det`` (NaN where -H is not positive definite), the smallest eigenvalue of -H and
    the Laplace estimate ``log_integral`` (NaN where excluded)."""

    log_joint: Tensor
    dim: Tensor
    log_det: Tensor
    min_eigenvalue: Tensor
    log_integral: Tensor


def _local_coordinates(fitted: FittedParses) -> tuple[list[Tensor], list[Tensor], Tensor]:
    """For each variable tensor (type points, shape noise, location noise, affine): the parse of
    every entry and its coordinate within that parse's variables; and every parse's dimension
    (4 per control point, 2 per stroke, 4 for the warp)."""
    p = fitted.type_cp
    stroke_of_point = p.stroke_index
    point_drawing = p.stroke_drawing[stroke_of_point]
    n_cp = torch.bincount(point_drawing, minlength=p.n_drawings)
    n_s = torch.bincount(p.stroke_drawing, minlength=p.n_drawings)
    point_rank = torch.arange(len(point_drawing)) - (torch.cumsum(n_cp, 0) - n_cp)[point_drawing]
    stroke_rank = torch.arange(p.n_strokes) - (torch.cumsum(n_s, 0) - n_s)[p.stroke_drawing]
    xy, wrp = torch.arange(2), torch.arange(4)
    type_local = 2 * point_rank[:, None] + xy
    shape_local = 2 * n_cp[point_drawing][:, None] + type_local
    location_local = 4 * n_cp[p.stroke_drawing][:, None] + 2 * stroke_rank[:, None] + xy
    affine_local = (4 * n_cp + 2 * n_s)[:, None] + wrp
    drawings = [point_drawing[:, None].expand(-1, 2), point_drawing[:, None].expand(-1, 2),
                p.stroke_drawing[:, None].expand(-1, 2), torch.arange(p.n_drawings)[:, None].expand(-1, 4)]
    return [type_local, shape_local, location_local, affine_local], drawings, 4 * n_cp + 2 * n_s + 4


def log_joint_hessians(fitted: FittedParses, images: Tensor, type_model: TypeModel,
                       token_model: TokenModel | None = None, dtype=torch.float64,
                       progress: bool = False) -> tuple[Tensor, list[Tensor]]:
    """f(z_C) per parse at the fitted values and its Hessian over the parse's continuous
    variables (d x d each; order: type points, shape noise, location noise, warp)."""
    token_model = token_model or TokenModel()
    density = copy.deepcopy(type_model.density).to(dtype)
    for q in density.parameters():
        q.requires_grad_(False)
    tm = TypeModel(density)
    typ0 = fitted.type_cp
    variables = [typ0.points.to(dtype), fitted.noise.shape.to(dtype), fitted.noise.location.to(dtype),
                 fitted.noise.affine.to(dtype)]
    variables = [v.detach().clone().requires_grad_(True) for v in variables]
    images = torch.as_tensor(images, dtype=dtype)
    blur = (fitted.fit_blur if fitted.fit_blur is not None else fitted.blur).to(dtype)
    eps = fitted.eps.to(dtype)

    def f() -> Tensor:
        typ = typ0.with_points(variables[0])
        token = token_model.apply(typ, TokenNoise(*variables[1:]))
        return (log_likelihood(token, images, blur, eps, fitted.n_samples)
                + type_log_prob(tm, typ, token, fitted.n_samples)
                + token_model.log_prob(TokenNoise(*variables[1:]), typ))

    value = f()
    grads = torch.autograd.grad(value.sum(), variables, create_graph=True)
    local, owner, dims = _local_coordinates(fitted)
    d_max = int(dims.max())
    full = torch.zeros(typ0.n_drawings, d_max, d_max, dtype=dtype)
    bar = Progress(d_max, "Laplace Hessian columns", unit="columns") if progress else None
    for j in range(d_max):
        probes = [(loc == j).to(dtype) for loc in local]
        hv = torch.autograd.grad(sum((g * v).sum() for g, v in zip(grads, probes)), variables, retain_graph=True)
        for h, loc, own in zip(hv, local, owner):
            keep = j < dims[own]
            full[own[keep], loc[keep], j] = h.detach()[keep]
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    blocks = [0.5 * (full[d, :n, :n] + full[d, :n, :n].T) for d, n in enumerate(dims.tolist())]
    return value.detach(), blocks


def laplace_terms(log_joint: Tensor, hessians: list[Tensor]) -> LaplaceTerms:
    """Eq. 11 per parse; parses whose -H is not positive definite get NaN (excluded)."""
    dims, log_dets, mins = [], [], []
    for h in hessians:
        eig = torch.linalg.eigvalsh(-h)
        dims.append(len(eig))
        mins.append(float(eig.min()))
        log_dets.append(float(torch.log(eig).sum()) if eig.min() > 0 else float("nan"))
    dim = torch.tensor(dims, dtype=log_joint.dtype)
    log_det = torch.tensor(log_dets, dtype=log_joint.dtype)
    return LaplaceTerms(log_joint, dim, log_det, torch.tensor(mins, dtype=log_joint.dtype),
                        log_joint + 0.5 * dim * LOG_2PI - 0.5 * log_det)


def image_bound(log_integrals: Tensor) -> float:
    """Eq. 12: log of the sum of the parses' Laplace integrals, over the parses not excluded
    (NaN when every parse of the image is excluded)."""
    ok = log_integrals[~torch.isnan(log_integrals)]
    return float(torch.logsumexp(ok, 0)) if len(ok) else float("nan")


def per_pixel(log_likelihood_nats: float | np.ndarray, size: int = 105):
    """Table 3's "LL per dim": nats divided by the number of pixels (105 x 105 for GNS)."""
    return np.asarray(log_likelihood_nats) / (size * size)
