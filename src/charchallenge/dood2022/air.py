"""The AIR baseline (Eslami et al. 2016, "Attend, Infer, Repeat", Sec. 2), as DooD's paper compares
against it (Liang et al. 2022, Sec. 3.1), on the same data, likelihood and training loop.

Generative model, step t = 1, 2, ... up to ``max_steps``:

1. presence: z_pres_t ~ Bernoulli(p_on(x_<t))   (AIR: a geometric number of objects; here, as in
             DooD, the stop probability reads the canvas-so-far, so both models stop alike)
2. where:    z_where_t ~ N(0, I) over (scale, translation x, translation y), unconstrained
3. what:     z_what_t ~ N(0, I) in ``what_dim`` dimensions
4. decode:   a glimpse y_t = sigmoid(MLP(z_what_t)) of ``glimpse`` pixels, placed on the canvas by
             the inverse spatial transformer of z_where_t, composited (probabilistic or, as DooD)
and x ~ Laplace(x_<=T, sigma) (DooD's Eq. 5) or, as the paper trains AIR on Omniglot because AIR
with a Laplace likelihood fails there, x ~ N(x_<=T, sigma^2) (``likelihood``); both are densities
over the same pixel values, so the log-likelihoods compare; the same blur curriculum in training. What distinguishes AIR from DooD is the part drawn: a free-form
glimpse image decoded from a latent vector, not a stroke.

Recognition (AIR's): an RNN reads the image (and, with execution guidance off, nothing else; AIR
has no canvas input) and the previous step's latents, and proposes z_pres, z_where (Gaussian) and
z_what (Gaussian from an encoder of the attended glimpse of the image).

It returns the same :class:`~charchallenge.dood2022.model.Trace` as DooD, so the objective,
the training loop and the IWAE evaluation are shared.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.distributions import Normal
from torch.nn import functional as F

from charchallenge.mixtures import bernoulli_log_prob

from .bezier import composite
from .model import PIXEL_LIKELIHOODS, ImageEncoder, StepRecord, Trace, glimpse, stop_decision

WHERE_DIM = 3  # scale, translation x, translation y


@dataclass(frozen=True)
class AirConfig:
    size: int = 28
    glimpse: int = 16
    max_strokes: int = 6           # most objects per image (the name shared with DoodConfig)
    what_dim: int = 20
    hidden: int = 128
    features: int = 64
    decoder_hidden: int = 128
    likelihood: str = "laplace"    # or "gaussian" (the paper's for AIR on Omniglot)

    def __post_init__(self):
        if self.likelihood not in PIXEL_LIKELIHOODS:
            raise ValueError(f"AIR likelihood {self.likelihood!r}: expected one of {sorted(PIXEL_LIKELIHOODS)}")


def where_matrix(z_where: Tensor) -> Tensor:
    """(B, 2, 3) glimpse -> canvas affine of unconstrained z_where: scale 0.1 + 0.9 sigmoid, shift tanh."""
    s = 0.1 + 0.9 * torch.sigmoid(z_where[:, 0])
    zero = torch.zeros_like(s)
    return torch.stack([torch.stack([s, zero, torch.tanh(z_where[:, 1])], -1),
                        torch.stack([zero, s, torch.tanh(z_where[:, 2])], -1)], -2)


def inverse_where(theta: Tensor) -> Tensor:
    """The canvas -> glimpse affine of :func:`where_matrix`'s (scale s, shift t): (x - t) / s."""
    s, t = theta[:, 0, 0], theta[:, :, 2]
    inv = torch.zeros_like(theta)
    inv[:, 0, 0] = inv[:, 1, 1] = 1 / s
    inv[:, :, 2] = -t / s[:, None]
    return inv


def place_glimpse(patch: Tensor, theta: Tensor, size: int) -> Tensor:
    """Write glimpses (B, G, G) onto an empty (B, size, size) canvas through the inverse transformer."""
    grid = F.affine_grid(inverse_where(theta), (patch.shape[0], 1, size, size), align_corners=False)
    return F.grid_sample(patch[:, None], grid, align_corners=False, padding_mode="zeros")[:, 0]


class AIR(nn.Module):
    """Generative and recognition networks of AIR; :meth:`infer` and :meth:`sample` as :class:`DooD`."""

    def __init__(self, cfg: AirConfig = AirConfig()):
        super().__init__()
        self.cfg = cfg
        latent = 1 + WHERE_DIM + cfg.what_dim
        # generative
        self.p_canvas_enc = ImageEncoder(cfg.size, cfg.features)
        self.p_on = nn.Linear(cfg.features, 1)
        self.decoder = nn.Sequential(nn.Linear(cfg.what_dim, cfg.decoder_hidden), nn.ReLU(),
                                     nn.Linear(cfg.decoder_hidden, cfg.glimpse * cfg.glimpse))
        self.log_sigma = nn.Parameter(torch.tensor(-2.3))  # Laplace scale of the pixels, log 0.1
        # recognition
        self.q_image_enc = ImageEncoder(cfg.size, cfg.features)
        self.q_rnn = nn.GRUCell(cfg.features + latent, cfg.hidden)
        self.q_on = nn.Linear(cfg.hidden, 1)
        self.q_where = nn.Linear(cfg.hidden, 2 * WHERE_DIM)
        self.q_glimpse_enc = ImageEncoder(cfg.glimpse, cfg.features)
        self.q_what = nn.Linear(cfg.features, 2 * cfg.what_dim)
        # NVIL's baseline b_t for stop decision t, from q's state at it (inputs detached)
        self.baseline_net = nn.Sequential(nn.Linear(cfg.features + cfg.hidden, cfg.hidden), nn.ReLU(),
                                          nn.Linear(cfg.hidden, 1))

    def decode(self, z_what: Tensor, z_where: Tensor) -> Tensor:
        patch = torch.sigmoid(self.decoder(z_what)).unflatten(-1, (self.cfg.glimpse, self.cfg.glimpse))
        return place_glimpse(patch, where_matrix(z_where), self.cfg.size)

    def image_log_prob(self, x: Tensor, canvas: Tensor, blur: float = 0.0) -> Tensor:
        return PIXEL_LIKELIHOODS[self.cfg.likelihood](x, canvas, self.log_sigma, blur)

    def p_on_logit(self, canvas: Tensor) -> Tensor:
        return self.p_on(self.p_canvas_enc(canvas.detach()))[:, 0]

    def infer(self, x: Tensor, blur: float = 0.0, force_strokes: int | None = None) -> Trace:
        """As :meth:`charchallenge.dood2022.model.DooD.infer`."""
        cfg = self.cfg
        b = x.shape[0]
        canvas = x.new_zeros(x.shape)
        h = x.new_zeros(b, cfg.hidden)
        prev = x.new_zeros(b, 1 + WHERE_DIM + cfg.what_dim)
        alive = torch.ones(b, dtype=torch.bool, device=x.device)
        f_img = self.q_image_enc(x)
        count = x.new_zeros(b)
        prior = Normal(0.0, 1.0)
        record, strokes, drawn = StepRecord(), [], []
        for _ in range(cfg.max_strokes):
            h = self.q_rnn(torch.cat([f_img, prev], -1), h)
            q_logit, p_logit = self.q_on(h)[:, 0], self.p_on_logit(canvas)
            o = stop_decision(q_logit, len(record.decided), force_strokes)
            lq, lp = bernoulli_log_prob(q_logit, o), bernoulli_log_prob(p_logit, o)
            record.decision(alive, lp - lq, lq, self.baseline_net(torch.cat([f_img, h], -1).detach())[:, 0])
            alive = alive & (o > 0.5)
            if not alive.any():
                break
            mu, log_sd = self.q_where(h).chunk(2, -1)
            q_where = Normal(mu, torch.exp(log_sd.clamp(-7, 3)))
            z_where = q_where.rsample()
            seen = glimpse(x, where_matrix(z_where), cfg.glimpse)
            mu, log_sd = self.q_what(self.q_glimpse_enc(seen)).chunk(2, -1)
            q_what = Normal(mu, torch.exp(log_sd.clamp(-7, 3)))
            z_what = q_what.rsample()
            record.stroke(alive, prior.log_prob(z_where).sum(-1) - q_where.log_prob(z_where).sum(-1)
                          + prior.log_prob(z_what).sum(-1) - q_what.log_prob(z_what).sum(-1))
            canvas = composite(canvas, self.decode(z_what, z_where) * alive[:, None, None].to(x.dtype))
            prev = torch.cat([o[:, None], z_where, z_what], -1)
            count = count + alive.to(x.dtype)
            strokes.append(z_where)
            drawn.append(alive.clone())
        return record.trace(self.image_log_prob(x, canvas, blur), count, canvas, strokes, drawn)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        cfg = self.cfg
        dev = self.log_sigma.device
        canvas = torch.zeros(n, cfg.size, cfg.size, device=dev)
        alive = torch.ones(n, dtype=torch.bool, device=dev)
        count = torch.zeros(n, device=dev)
        for _ in range(cfg.max_strokes):
            on = torch.sigmoid(self.p_on_logit(canvas))
            alive = alive & (torch.rand(n, generator=generator, device=dev) < on)
            if not alive.any():
                break
            z_where = torch.randn(n, WHERE_DIM, generator=generator, device=dev)
            z_what = torch.randn(n, cfg.what_dim, generator=generator, device=dev)
            canvas = composite(canvas, self.decode(z_what, z_where) * alive[:, None, None].float())
            count = count + alive.float()
        return canvas, count
