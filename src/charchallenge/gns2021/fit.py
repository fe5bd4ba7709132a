"""Continuous optimisation of parses (Feinman & Lake 2021, Appendix B steps 3-5; facts section 5).

Each of the K discrete parses of an image (:func:`.parses.top_parses`) becomes a starting point
for the joint optimisation of its type (control points), its token (shape noise, location noise,
affine warp; :mod:`.token_model`) and the image model's blur sigma and pixel noise epsilon
(bounded, :class:`.image_model.Bounded`), maximising

    log P(I | theta) + log P(psi) + log P(theta | psi)

(image model, type model in pixel units, token model) by Adam with the released code's rates
(0.306983 for blur/eps, 0.044114 for the rest) from blur/eps free values 16 / 0.5 and zero token
noise. Then blur tuning: ``blur_steps`` values from the fitted sigma down to its minimum, the one
with the best image likelihood kept, and the parse's score is the full objective there.

Every parse of every image is one row of one batch: one render, one type-model call and one Adam
step per iteration for all of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from charchallenge.progress import Progress
from charchallenge.render import PackedStrokes, pack_strokes

from .image_model import (BLUR, BLUR_BOUNDS, EPS, as_image_tensor, canvas_log_likelihood, check_image, ink_canvas,
                          log_likelihood, samples_per_stroke)
from .token_model import TokenModel, TokenNoise
from .type_model import TypeModel, type_log_prob


@dataclass(frozen=True)
class FitParams:
    iterations: int = 1500
    lr_render: float = 0.306983
    lr: float = 0.044114
    blur_start: float = 16.0   # free-variable start values (sigma ~ 14.15, eps ~ 0.44)
    eps_start: float = 0.5
    blur_steps: int = 20


@dataclass
class FittedParses:
    """Fitted parses (D of them): the type's control points, the token noise, blur and eps after
    tuning, and the score ``log P(I|theta) + log P(psi) + log P(theta|psi)`` with its parts."""

    type_cp: PackedStrokes
    noise: TokenNoise
    blur: Tensor
    eps: Tensor
    score: Tensor
    image_ll: Tensor
    type_lp: Tensor
    token_lp: Tensor
    n_samples: list[int]
    losses: list[float] = field(default_factory=list)
    fit_blur: Tensor | None = None  # blur at the end of the optimisation, before blur tuning

    def type_strokes(self, d: int) -> list[np.ndarray]:
        """Control points (motor px) of parse ``d``'s type, one array per stroke."""
        p = self.type_cp
        return [p.points[p.stroke_index == s].cpu().numpy().astype(np.float64)
                for s in torch.nonzero(p.stroke_drawing == d).flatten().tolist()]

    def to(self, device: torch.device | str) -> "FittedParses":
        """The same parses with every tensor on ``device`` (saved on the CPU, refitted where the
        refits run)."""
        moved = {f.name: getattr(self, f.name).to(device) for f in dataclasses.fields(self)
                 if isinstance(getattr(self, f.name), Tensor)}
        p, z = self.type_cp, self.noise
        type_cp = PackedStrokes(p.points.to(device), p.stroke_index.to(device), p.drawing_index.to(device),
                                p.stroke_drawing.to(device), p.n_drawings)
        noise = TokenNoise(z.shape.to(device), z.location.to(device), z.affine.to(device))
        return dataclasses.replace(self, **moved, type_cp=type_cp, noise=noise)

    def rows(self, rows: list[int]) -> tuple[PackedStrokes, TokenNoise, list[int]]:
        """The packed types, the fitted token noise and the samples per stroke of parses ``rows``
        (repeats allowed), in that order: the starting point of token refits
        (:mod:`.classify`) and of the chains of :class:`.annealing.AnnealedSampler`."""
        p = self.type_cp
        point_drawing = p.stroke_drawing[p.stroke_index]
        points = [torch.nonzero(point_drawing == d).flatten() for d in range(p.n_drawings)]
        strokes = [torch.nonzero(p.stroke_drawing == d).flatten() for d in range(p.n_drawings)]
        pi = torch.cat([points[r] for r in rows])
        si = torch.cat([strokes[r] for r in rows])
        packed = pack_strokes([self.type_strokes(r) for r in rows], dtype=p.points.dtype, device=p.points.device)
        noise = TokenNoise(self.noise.shape[pi].clone(), self.noise.location[si].clone(),
                           self.noise.affine[torch.as_tensor(rows, device=p.points.device)].clone())
        return packed, noise, [self.n_samples[s] for s in si.tolist()]


def fit_parses(parses: list[list[np.ndarray]], images: Tensor, type_model: TypeModel,
               token_model: TokenModel | None = None, params: FitParams = FitParams(),
               progress: bool = False) -> FittedParses:
    """Optimise every parse against its image (``images[d]`` for ``parses[d]``, binary, ink = 1), on
    the type model's device (:attr:`.type_model.TypeModel.device`); the result's tensors are there."""
    token_model = token_model or TokenModel()
    for p in type_model.density.parameters():
        p.requires_grad_(False)
    images = checked_images(images, len(parses), "fit_parses", "image of parse").to(type_model.device)
    if any(len(p) == 0 for p in parses):
        raise ValueError("fit_parses: a parse without strokes")
    packed = pack_strokes(parses, dtype=torch.float32, device=type_model.device)
    n_samples = samples_per_stroke(packed)
    d = packed.n_drawings
    type_pts = packed.points.clone().requires_grad_(True)
    zero = token_model.zero_noise(packed)
    shape = zero.shape.clone().requires_grad_(True)
    location = zero.location.clone().requires_grad_(True)
    affine = zero.affine.clone().requires_grad_(True)
    blur_x = torch.full((d,), params.blur_start, requires_grad=True, device=type_model.device)
    eps_x = torch.full((d,), params.eps_start, requires_grad=True, device=type_model.device)
    optimizer = torch.optim.Adam([{"params": [blur_x, eps_x], "lr": params.lr_render},
                                  {"params": [type_pts, shape, location, affine], "lr": params.lr}])

    def terms(blur: Tensor):
        noise = TokenNoise(shape, location, affine)
        typ = packed.with_points(type_pts)
        token = token_model.apply(typ, noise)
        ll = log_likelihood(token, images, blur, EPS.value(eps_x), n_samples)
        return ll, type_log_prob(type_model, typ, token, n_samples), token_model.log_prob(noise, typ)

    losses = []
    bar = Progress(params.iterations, "GNS parse fit", unit="iterations") if progress else None
    for _ in range(params.iterations):
        optimizer.zero_grad(set_to_none=True)
        ll, tlp, klp = terms(BLUR.value(blur_x))
        loss = -(ll + tlp + klp).sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    losses = [float(v) / d for v in losses]  # read once at the end: no device sync per iteration

    with torch.no_grad():
        canvas = ink_canvas(token_model.apply(packed.with_points(type_pts), TokenNoise(shape, location, affine)),
                            n_samples)
        eps = EPS.value(eps_x)
        blur = tune_blur(lambda b: canvas_log_likelihood(canvas, images, b, eps), BLUR.value(blur_x), params.blur_steps)
        ll, tlp, klp = terms(blur)
    return FittedParses(packed.with_points(type_pts.detach()), TokenNoise(shape.detach(), location.detach(),
                        affine.detach()), blur, EPS.value(eps_x).detach(), (ll + tlp + klp), ll, tlp, klp,
                        n_samples, losses, BLUR.value(blur_x).detach())


def checked_images(images, n: int, caller: str, name: str) -> Tensor:
    """``images`` as a float32 tensor (N, 105, 105), N = ``n``, each one checked by
    :func:`.image_model.check_image` (a one-line error naming ``name`` and its index otherwise)."""
    images = as_image_tensor(images, torch.float32)
    if images.ndim != 3 or len(images) != n:
        raise ValueError(f"{caller}: one 105x105 image per parse expected, got {tuple(images.shape)} for {n} parses")
    for j, im in enumerate(images.cpu().numpy()):
        check_image(im, f"{name} {j}")
    return images


def tune_blur(image_ll, fitted_blur: Tensor, steps: int) -> Tensor:
    """Blur tuning (facts section 5): ``steps`` values from each row's fitted sigma down to the
    minimum; per row the one with the best image log-likelihood ``image_ll(blur) -> (D,)``
    (callers paint once, :func:`.image_model.ink_canvas`, and blur that canvas per value)."""
    dev = fitted_blur.device
    grid = torch.stack([torch.linspace(float(b), BLUR_BOUNDS[0], steps, device=dev) for b in fitted_blur], 1)
    lls = torch.stack([image_ll(g) for g in grid])  # (steps, D)
    return grid[lls.argmax(0), torch.arange(len(fitted_blur), device=dev)]


def parse_weights(scores: Tensor, temperature: float = 8.0) -> Tensor:
    """Weights of an image's K parses: softmax(score / T) (facts section 6: T = 8 for exemplars)."""
    return torch.softmax(torch.as_tensor(scores, dtype=torch.float64) / temperature, 0)


def new_exemplars(fitted: FittedParses, rows: list[int], n: int, generator: torch.Generator,
                  token_model: TokenModel | None = None, temperature: float = 8.0) -> list[np.ndarray]:
    """``n`` new exemplars of one image whose parses are ``rows`` of ``fitted`` (Fig. 4a): pick a
    parse by its weight, sample a token of its type, render at blur 0 and threshold at 0.5."""
    w = parse_weights(fitted.score[rows].cpu(), temperature)  # drawn on the CPU generator
    picks = torch.multinomial(w, n, replacement=True, generator=generator).tolist()
    return token_images([fitted.type_strokes(rows[k]) for k in picks], generator, token_model)


def token_images(types: list[list[np.ndarray]], generator: torch.Generator,
                 token_model: TokenModel | None = None) -> list[np.ndarray]:
    """One token of each type (lists of motor-px control points), rendered at blur 0 and
    thresholded at 0.5 (facts section 6): binary 105x105 images."""
    from .image_model import ink_probabilities

    token_model = token_model or TokenModel()
    packed = pack_strokes(types, dtype=torch.float32, device="cpu")
    token = token_model.apply(packed, token_model.sample(packed, generator))
    with torch.no_grad():
        probs = ink_probabilities(token, 0.0, 0.0, samples_per_stroke(packed))
    return list((probs > 0.5).numpy())
