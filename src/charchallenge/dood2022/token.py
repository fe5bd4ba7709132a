"""DooD's token model (Liang et al. 2022, Sec. 3.2 "Character-conditioned generation"): the
latents the recognition model infers for one image are the character's *type*; a *token* of it
adds (i) Gaussian drawing noise with a fixed standard deviation to every control point and (ii) a
Gaussian affine transformation of the perturbed points. The paper sets the noise levels by eye
("by examining the noise level in the output"); ours are params (``dood2022.token``), in canvas
units (the canvas spans [-1, 1], so one pixel of a 28 px canvas is 0.071):

    cp'_{t,d} = (I + A) (cp_{t,d} + e_{t,d}) + b,   e ~ N(0, cp_sd^2 I),
    A_{ij} ~ N(0, affine_sd^2),  b ~ N(0, shift_sd^2 I),

applied about the canvas centre. A type is packed as control points (B, T, D + 1, 2) with a mask
(B, T) of the steps that drew.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch.distributions import Normal

from .model import Trace


@dataclass(frozen=True)
class TokenModel:
    cp_sd: float = 0.04
    affine_sd: float = 0.06
    shift_sd: float = 0.06

    def log_prob(self, noise: Tensor, affine: Tensor, shift: Tensor, mask: Tensor) -> Tensor:
        """log p(token | type) (B,) of noise (B, T, D + 1, 2), affine (B, 2, 2), shift (B, 2)."""
        lp_noise = (Normal(0.0, self.cp_sd).log_prob(noise).sum((-2, -1)) * mask).sum(-1)
        return (lp_noise + Normal(0.0, self.affine_sd).log_prob(affine).sum((-2, -1))
                + Normal(0.0, self.shift_sd).log_prob(shift).sum(-1))

    def sample(self, cp: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """One draw (noise, affine, shift) per type of ``cp`` (B, T, D + 1, 2)."""
        b = cp.shape[0]
        noise = self.cp_sd * torch.randn(cp.shape, generator=generator)
        affine = self.affine_sd * torch.randn(b, 2, 2, generator=generator)
        shift = self.shift_sd * torch.randn(b, 2, generator=generator)
        return noise, affine, shift


def apply_token(cp: Tensor, noise: Tensor, affine: Tensor, shift: Tensor) -> Tensor:
    """The token's control points (B, T, D + 1, 2)."""
    m = torch.eye(2, dtype=cp.dtype) + affine
    return (cp + noise) @ m[:, None].transpose(-1, -2) + shift[:, None, None]


def pack_type(trace: Trace) -> tuple[Tensor, Tensor]:
    """The steps of a trace as control points (B, T, D + 1, 2) and the mask (B, T) of drawn steps."""
    if not trace.strokes:
        raise ValueError("the trace drew no stroke for any image: nothing to make tokens of")
    return torch.stack(trace.strokes, 1), torch.stack(trace.drawn, 1).to(trace.canvas.dtype)


def render_strokes(render, cp: Tensor, mask: Tensor) -> Tensor:
    """Composite (B, S, S) of the masked strokes, rendered by ``render`` ((N, D + 1, 2) -> (N, S, S)):
    the probabilistic "or" of all strokes, as the generative model's sequential compositing."""
    b, t = mask.shape
    ink = render(cp.flatten(0, 1)).unflatten(0, (b, t)) * mask[:, :, None, None]
    return 1 - torch.prod(1 - ink, dim=1)
