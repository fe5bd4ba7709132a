"""Marginal image likelihood by Laplace's method (Feinman & Lake 2021, Sec. 5 "Marginal image
likelihoods", Table 3, Appendix D, Eq. 9-12), read in the appendix's order.

Eq. 9. The latent variables z of an image split into discrete ones z_D (number of strokes, control
points per stroke: what a parse fixes) and continuous ones z_C (the type's control points, the
token's shape noise, location noise and affine warp), and P(I) = sum_{z_D} integral P(I, z_D, z_C) dz_C.

Eq. 10. For any set of discrete configurations - here the K parses of an image -

    P(I) >= sum_k  integral P(I, z_D^k, z_C) dz_C.

Eq. 11. Around the fitted maximum z_C^k of f(z_C) = log P(I, z_D^k, z_C) Laplace's method gives

    integral e^f dz_C  ~  e^f(z_C^k) (2 pi)^(d/2) |-H_f(z_C^k)|^(-1/2)

with d the number of continuous variables and H_f the Hessian of f (:func:`log_joint_hessians`,
:func:`laplace_terms`).

Eq. 12. The bound of an image is the log of the sum over its K fitted parses (:func:`image_bound`).

The blur sigma and pixel noise epsilon are parameters of the image model, not latent variables:
they stay fixed at the values the continuous variables were optimised under (the blur before blur
tuning, ``FittedParses.fit_blur``).

The curvature (ours; the paper says only that H is computed). The exact Hessian of the image term
is indefinite on this renderer whatever the fit: a point's ink is painted bilinearly over its pixel
square, and a bilinear function's second derivative is a saddle. On the quick run every parse but
one of 52 had an indefinite Hessian (smallest eigenvalue of -H down to -162). The bound therefore
uses, by default (params ``gns2021.likelihood.curvature``), the Gauss-Newton curvature of the image
term - its Hessian with the renderer linearised, negative semi-definite - plus the exact Hessians of
the type and token terms; the exact Hessian's smallest eigenvalue is still reported per parse.

A parse whose curvature is not negative definite is not at a peaked maximum (or f is flat in some
direction) and Eq. 11 does not apply: it is left out of the sum, which keeps Eq. 10 a lower bound,
and counted (``excluded``).

Eq. 11 assumes that the fit sits at the peak (:mod:`.climb` takes it there) and that f is
quadratic over the Laplace Gaussian (:mod:`.annealing` checks it without that assumption).

All parses' Hessians come from one batch: the Hessian of the summed objective is block diagonal
(parses share no variable), so Hessian-vector products with a probe that sets coordinate j of
*every* parse give column j of every block at once - ``max d`` products in all, not ``sum d``.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from charchallenge.progress import Progress
from charchallenge.render import LIKELIHOOD_CLAMP, bernoulli_log_likelihood

from .fit import FittedParses
from .image_model import as_image_tensor, ink_probabilities
from .token_model import TokenModel, TokenNoise
from .type_model import TypeModel, type_log_prob

LOG_2PI = math.log(2 * math.pi)
CLAMP = LIKELIHOOD_CLAMP  # the probability clamp of charchallenge.render.bernoulli_log_likelihood


# z_C: every parse's continuous variables, batched


def local_coordinates(fitted: FittedParses) -> tuple[list[Tensor], list[Tensor], Tensor]:
    """For each variable tensor (type points, shape noise, location noise, affine): the parse of
    every entry and its coordinate within that parse's variables; and every parse's dimension
    (4 per control point, 2 per stroke, 4 for the warp)."""
    p = fitted.type_cp
    dev = p.points.device
    stroke_of_point = p.stroke_index
    point_drawing = p.stroke_drawing[stroke_of_point]
    n_cp = torch.bincount(point_drawing, minlength=p.n_drawings)
    n_s = torch.bincount(p.stroke_drawing, minlength=p.n_drawings)
    point_rank = torch.arange(len(point_drawing), device=dev) - (torch.cumsum(n_cp, 0) - n_cp)[point_drawing]
    stroke_rank = torch.arange(p.n_strokes, device=dev) - (torch.cumsum(n_s, 0) - n_s)[p.stroke_drawing]
    xy, wrp = torch.arange(2, device=dev), torch.arange(4, device=dev)
    type_local = 2 * point_rank[:, None] + xy
    shape_local = 2 * n_cp[point_drawing][:, None] + type_local
    location_local = 4 * n_cp[p.stroke_drawing][:, None] + 2 * stroke_rank[:, None] + xy
    affine_local = (4 * n_cp + 2 * n_s)[:, None] + wrp
    drawings = [point_drawing[:, None].expand(-1, 2), point_drawing[:, None].expand(-1, 2),
                p.stroke_drawing[:, None].expand(-1, 2), torch.arange(p.n_drawings, device=dev)[:, None].expand(-1, 4)]
    return [type_local, shape_local, location_local, affine_local], drawings, 4 * n_cp + 2 * n_s + 4


def _probes(local: list[Tensor], j: int, dtype) -> list[Tensor]:
    """One tensor per variable tensor, 1 at coordinate j of every parse: a product with the
    block-diagonal Hessian (or Jacobian) gives column j of every parse's block at once."""
    return [(loc == j).to(dtype) for loc in local]


def variables_of(fitted: FittedParses, dtype) -> list[Tensor]:
    v = [fitted.type_cp.points, fitted.noise.shape, fitted.noise.location, fitted.noise.affine]
    return [x.to(dtype).detach().clone().requires_grad_(True) for x in v]


def with_variables(fitted: FittedParses, variables: list[Tensor]) -> FittedParses:
    """``fitted`` with new continuous variables (type points, shape, location, warp), same dtype."""
    dtype = fitted.type_cp.points.dtype
    v = [x.detach().to(dtype) for x in variables]
    return dataclasses.replace(fitted, type_cp=fitted.type_cp.with_points(v[0]), noise=TokenNoise(*v[1:]))


def in_dtype(type_model: TypeModel, dtype) -> TypeModel:
    """A frozen copy of the type model in ``dtype`` (float64 for second derivatives); the model
    itself when it already is one (so that a caller converts once and passes it on)."""
    params = list(type_model.density.parameters())
    if all(q.dtype == dtype and not q.requires_grad for q in params):
        return type_model
    density = copy.deepcopy(type_model.density).to(dtype)
    for q in density.parameters():
        q.requires_grad_(False)
    return TypeModel(density)


# f(z_C) = log P(I | theta) + log P(theta | psi) + log P(psi): the log joint of Eq. 10-11


def log_joint_parts(fitted: FittedParses, variables: list[Tensor], images: Tensor, tm: TypeModel,
                     token_model: TokenModel, dtype) -> tuple[Tensor, Tensor, Tensor]:
    """(pixel probabilities, log joint f, prior terms) per parse at ``variables``, at the blur the
    continuous variables were optimised under and the fitted eps."""
    typ = fitted.type_cp.with_points(variables[0])
    token = token_model.apply(typ, TokenNoise(*variables[1:]))
    blur = (fitted.fit_blur if fitted.fit_blur is not None else fitted.blur).to(dtype)
    probs = ink_probabilities(token, blur, fitted.eps.to(dtype), fitted.n_samples)
    prior = type_log_prob(tm, typ, token, fitted.n_samples) + token_model.log_prob(TokenNoise(*variables[1:]), typ)
    return probs, bernoulli_log_likelihood(probs, images, CLAMP) + prior, prior


class JointAt:
    """f per parse at the fitted variables moved by ``delta (n, d_max)`` (each parse's coordinates
    in :func:`local_coordinates` order), the type model converted to ``dtype`` once."""

    def __init__(self, fitted: FittedParses, images: Tensor, type_model: TypeModel,
                 token_model: TokenModel | None, dtype):
        self.fitted, self.dtype = fitted, dtype
        self.images = as_image_tensor(images, dtype, fitted.type_cp.points.device)
        self.tm, self.token_model = in_dtype(type_model, dtype), token_model or TokenModel()
        self.local, self.owner, self.dims = local_coordinates(fitted)
        self.base = [v.detach() for v in variables_of(fitted, dtype)]

    def moved(self, delta: Tensor) -> list[Tensor]:
        return [b + delta[own, loc] for b, own, loc in zip(self.base, self.owner, self.local)]

    def __call__(self, delta: Tensor) -> Tensor:
        with torch.no_grad():
            return self.differentiable(delta)

    def differentiable(self, delta: Tensor) -> Tensor:
        """f at the moved variables, with autograd through ``delta`` (when it requires grad)."""
        return log_joint_parts(self.fitted, self.moved(delta), self.images, self.tm, self.token_model,
                                self.dtype)[1]


def log_joint(fitted: FittedParses, images: Tensor, type_model: TypeModel, token_model: TokenModel | None = None,
              dtype=torch.float64) -> Tensor:
    """f(z_C) = log P(I | theta) + log P(psi) + log P(theta | psi) per parse, as
    :func:`log_joint_hessians` takes it (same blur and eps)."""
    joint = JointAt(fitted, images, type_model, token_model, dtype)
    return joint(torch.zeros(fitted.type_cp.n_drawings, int(joint.dims.max()), dtype=dtype,
                             device=fitted.type_cp.points.device))


# H_f: its curvature at the fit, every parse's block from one batch


def log_joint_hessians(fitted: FittedParses, images: Tensor, type_model: TypeModel,
                       token_model: TokenModel | None = None, dtype=torch.float64,
                       progress: bool = False, curvature: str = "exact") -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """f(z_C) per parse at the fitted values, its curvature over the parse's continuous variables
    (d x d each; order: type points, shape noise, location noise, warp) and its gradient there (d).

    ``curvature="exact"``: the Hessian of f. ``"gauss-newton"``: the exact Hessian of the type and
    token terms plus the Gauss-Newton matrix of the image term, ``-J^T W J`` with ``J`` the
    Jacobian of the pixel probabilities and ``W = x / p^2 + (1 - x) / (1 - p)^2`` the Bernoulli's
    curvature in p: the image term's Hessian with the renderer taken as locally linear. The exact
    image term is indefinite wherever ink is painted bilinearly (a point's ink inside its pixel
    square is bilinear in its row and column, a saddle [[0, a], [a, 0]] in second derivatives,
    however well the parse fits); the Gauss-Newton matrix is negative semi-definite."""
    if curvature not in ("exact", "gauss-newton"):
        raise ValueError(f"curvature: expected 'exact' or 'gauss-newton', got {curvature!r}")
    token_model = token_model or TokenModel()
    variables = variables_of(fitted, dtype)
    images = as_image_tensor(images, dtype, variables[0].device)
    probs, value, prior = log_joint_parts(fitted, variables, images, in_dtype(type_model, dtype), token_model, dtype)
    local, owner, dims = local_coordinates(fitted)
    n, d_max = fitted.type_cp.n_drawings, int(dims.max())
    if curvature == "exact":  # f's gradient, with the graph its Hessian-vector products need
        first = grads = torch.autograd.grad(value.sum(), variables, create_graph=True)
    else:  # f's gradient, and the type and token terms' with their graph
        first = torch.autograd.grad(value.sum(), variables, retain_graph=True)
        grads = torch.autograd.grad(prior.sum(), variables, create_graph=True)
    full = torch.zeros(n, d_max, d_max, dtype=dtype, device=value.device)
    bar = Progress(d_max, "Laplace Hessian columns", unit="columns") if progress else None
    for j in range(d_max):
        hv = torch.autograd.grad(sum((g * v).sum() for g, v in zip(grads, _probes(local, j, dtype))), variables,
                                 retain_graph=True, allow_unused=True)
        for h, loc, own in zip(hv, local, owner):
            if h is not None:
                keep = j < dims[own]
                full[own[keep], loc[keep], j] = h.detach()[keep]
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if curvature == "gauss-newton":
        full = full - _gauss_newton(probs, images, variables, local, dims, progress)
    blocks = [0.5 * (full[d, :k, :k] + full[d, :k, :k].T) for d, k in enumerate(dims.tolist())]
    gradient = torch.zeros(n, d_max, dtype=dtype, device=value.device)
    for g, loc, own in zip(first, local, owner):
        gradient[own, loc] = g.detach()
    return value.detach(), blocks, [gradient[d, :k] for d, k in enumerate(dims.tolist())]


def _gauss_newton(probs: Tensor, images: Tensor, variables: list[Tensor], local: list[Tensor], dims: Tensor,
                  progress: bool) -> Tensor:
    """``J^T W J`` per parse, (n, d_max, d_max): the Jacobian's columns J v for every parse at once
    by the double-backward trick (u -> grad_z <p, u> is linear in u, so the gradient of
    <grad_z <p, u>, v> in u is J v); pixels where the likelihood clamps p have J = 0."""
    n, d_max = probs.shape[0], int(dims.max())
    clamped = probs.clamp(CLAMP, 1 - CLAMP)
    u = torch.zeros_like(clamped, requires_grad=True)
    vjp = torch.autograd.grad((clamped * u).sum(), variables, create_graph=True)
    columns = []
    bar = Progress(d_max, "Laplace Jacobian columns", unit="columns") if progress else None
    for j in range(d_max):
        jv = torch.autograd.grad(sum((g * v).sum() for g, v in zip(vjp, _probes(local, j, probs.dtype))), u,
                                 retain_graph=True)[0]
        columns.append(jv.detach().reshape(n, -1))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    jac = torch.stack(columns, 2)  # (n, pixels, d_max); a parse's columns past its d are 0
    x, p = images.reshape(n, -1), clamped.detach().reshape(n, -1)
    w = x / p**2 + (1 - x) / (1 - p) ** 2
    return torch.einsum("npa,np,npb->nab", jac, w, jac)


# Eq. 11: Laplace's estimate of each parse's integral


@dataclass
class LaplaceTerms:
    """Per parse: the log joint at the fit ``log_joint``, the number of continuous variables ``dim``,
    log|-H| ``log_det`` (NaN where -H is not positive definite), the smallest eigenvalue of -H, the
    Laplace estimate ``log_integral`` (NaN where excluded) and ``newton_gain`` = g^T (-H)^-1 g / 2,
    what the quadratic model says f would still gain by moving from the fit to its maximum (near 0
    when the fit is at the peak Eq. 11 assumes; NaN where excluded or no gradient was given)."""

    log_joint: Tensor
    dim: Tensor
    log_det: Tensor
    min_eigenvalue: Tensor
    log_integral: Tensor
    newton_gain: Tensor


def laplace_terms(log_joint: Tensor, hessians: list[Tensor], gradients: list[Tensor] | None = None) -> LaplaceTerms:
    """Eq. 11 per parse; parses whose -H is not positive definite get NaN (excluded)."""
    dims, log_dets, mins, gains = [], [], [], []
    for i, h in enumerate(hessians):
        eig, vec = torch.linalg.eigh(-h)
        dims.append(len(eig))
        mins.append(float(eig.min()))
        ok = bool(eig.min() > 0)
        log_dets.append(float(torch.log(eig).sum()) if ok else float("nan"))
        if ok and gradients is not None:
            coef = vec.T @ gradients[i].to(vec.dtype)
            gains.append(float(0.5 * (coef**2 / eig).sum()))
        else:
            gains.append(float("nan"))
    f = dict(dtype=log_joint.dtype, device=log_joint.device)
    dim, log_det = torch.tensor(dims, **f), torch.tensor(log_dets, **f)
    log_integral = log_joint + 0.5 * dim * LOG_2PI - 0.5 * log_det
    return LaplaceTerms(log_joint, dim, log_det, torch.tensor(mins, **f), log_integral, torch.tensor(gains, **f))


# Eq. 12: the image's bound, the log-sum over its parses


def image_bound(log_integrals: Tensor) -> float:
    """Eq. 12: log of the sum of the parses' Laplace integrals, over the parses not excluded
    (NaN when every parse of the image is excluded)."""
    ok = log_integrals[~torch.isnan(log_integrals)]
    return float(torch.logsumexp(ok, 0)) if len(ok) else float("nan")


def per_pixel(log_likelihood_nats: float | np.ndarray, size: int = 105):
    """Table 3's "LL per dim": nats divided by the number of pixels (105 x 105 for GNS)."""
    return np.asarray(log_likelihood_nats) / (size * size)
