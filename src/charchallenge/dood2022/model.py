"""DooD's generative and recognition models (Liang et al. 2022, Sec. 2.1-2.2, Eq. 1-8).

Generative model p (Eq. 1), step t = 1, 2, ... up to ``max_strokes``:

1. stop:    o_t ~ Bernoulli(p_on(x_<t))                          (Eq. 4; o_t = 1: draw step t)
2. layout:  h^l_t = GRU([f(x_<t), l_{t-1}, s_{t-1}], h^l_{t-1}),
            l_t ~ GMM_M(h^l_t) over (scale, translation, rotation)  (Eq. 2)
3. glimpse: x~_<t = STN(l_t, x_<t)
4. stroke:  h^s_t = GRU([g(x~_<t), l_t, s_{t-1}], h^s_{t-1}),
            s_t ~ prod_d GMM_K(h^s_t) over control point d          (Eq. 3)
5. render:  x_t = dR(l_t . s_t) (:mod:`.bezier`), x_<=t = x_<t (+) x_t (compositing)
and, after the last step T, x ~ Laplace(x_<=T, sigma) with a learned global sigma (Eq. 5).

Recognition model q (Eq. 6-8): the same steps on the residual dx_t = x - x_<t, with one Gaussian
where p has a mixture. Execution guidance (EG): the networks see the canvas-so-far (p) and the
residual (q), both with gradients stopped; without EG (the paper's ablation) they see zeros, and
q's stroke module glimpses the target image instead of the residual.

Latent spaces (our choices, as the appendix with the paper's is not public): a layout is an
unconstrained 5-vector z_l mapped to scale 0.1 + 0.9 sigmoid (x and y), translation tanh and
rotation (pi / 2) tanh; control points are unconstrained 2-vectors mapped by tanh into the
glimpse frame [-1, 1]^2. p and q are densities over the same unconstrained variables, so their
log ratio is the ELBO's integrand without Jacobians.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal
from torch.nn import functional as F

from charchallenge.mixtures import GMMHead, bernoulli_log_prob, gmm_log_prob, sample_gmm

from .bezier import composite, render_curves

LAYOUT_DIM = 5  # scale x, scale y, translation x, translation y, rotation


@dataclass(frozen=True)
class DoodConfig:
    size: int = 28                 # canvas side (pixels)
    glimpse: int = 16              # side of the spatial-transformer glimpse
    max_strokes: int = 6           # the paper's cap on strokes
    degree: int = 3                # Bezier order D (D + 1 control points)
    layout_components: int = 4     # M
    stroke_components: int = 4     # K
    hidden: int = 128              # RNN hidden size
    features: int = 64             # image-encoder output size
    execution_guidance: bool = True
    stroke_width: float = 0.04     # starting values of the renderer's learnable width and sharpness
    stroke_sharpness: float = 40.0
    render_points: int = 24        # polyline points per curve


def gaussian_blur(images: Tensor, sigma: float) -> Tensor:
    """Images (B, H, W) convolved with a Gaussian of ``sigma`` pixels (zero padding), separably."""
    r = max(1, math.ceil(3 * sigma))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, dtype=images.dtype, device=images.device) / sigma) ** 2)
    k = k / k.sum()
    out = F.conv2d(images[:, None], k.view(1, 1, 1, -1), padding=(0, r))
    return F.conv2d(out, k.view(1, 1, -1, 1), padding=(r, 0))[:, 0]


def laplace_log_prob(x: Tensor, canvas: Tensor, log_sigma: Tensor, blur: float = 0.0) -> Tensor:
    """log Laplace(x | canvas, sigma) summed over pixels (B,) (Eq. 5).

    ``blur`` > 0 (pixels) scores blurred copies of both images instead: the training curriculum of
    :func:`charchallenge.dood2022.train.train_dood`. A stroke that misses the ink by a pixel gets no
    gradient towards it from the sharp likelihood (the renderer's ink falls off within half a
    pixel), and a recognition model that cannot find the ink learns to stop drawing at once
    (measured: strokes per image fell from 0.5 to 0.2 in 600 steps on Omniglot at 28 px); scored
    through a blur, nearby ink pulls the stroke. Evaluation is always sharp (blur 0)."""
    if blur > 0:
        x, canvas = gaussian_blur(x, blur), gaussian_blur(canvas, blur)
    sigma = torch.exp(log_sigma)
    return (-(x - canvas).abs() / sigma - torch.log(2 * sigma)).flatten(1).sum(1)


def gaussian_log_prob(x: Tensor, canvas: Tensor, log_sigma: Tensor, blur: float = 0.0) -> Tensor:
    """log N(x | canvas, sigma^2) summed over pixels (B,); ``blur`` as in :func:`laplace_log_prob`.
    The paper's likelihood for AIR on Omniglot, where AIR with a Laplace likelihood fails."""
    if blur > 0:
        x, canvas = gaussian_blur(x, blur), gaussian_blur(canvas, blur)
    z = (x - canvas) / torch.exp(log_sigma)
    return (-0.5 * z * z - log_sigma - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)


PIXEL_LIKELIHOODS = {"laplace": laplace_log_prob, "gaussian": gaussian_log_prob}


def layout_transform(z: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Unconstrained layouts (B, 5) -> scale (B, 2), translation (B, 2), rotation (B,)."""
    scale = 0.1 + 0.9 * torch.sigmoid(z[:, :2])
    return scale, torch.tanh(z[:, 2:4]), (math.pi / 2) * torch.tanh(z[:, 4])


def affine_matrix(z: Tensor) -> Tensor:
    """(B, 2, 3) map from glimpse coordinates to canvas coordinates: R(rotation) diag(scale) p + t."""
    scale, shift, angle = layout_transform(z)
    c, s = torch.cos(angle), torch.sin(angle)
    rot = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)  # (B, 2, 2)
    return torch.cat([rot * scale[:, None, :], shift[:, :, None]], -1)


def glimpse(canvas: Tensor, theta: Tensor, size: int) -> Tensor:
    """STN: the canvas (B, H, W) seen through the affine ``theta`` (B, 2, 3), as (B, size, size)."""
    grid = F.affine_grid(theta, (canvas.shape[0], 1, size, size), align_corners=False)
    return F.grid_sample(canvas[:, None], grid, align_corners=False)[:, 0]


def place_stroke(z_s: Tensor, theta: Tensor) -> Tensor:
    """Control points (B, D + 1, 2): unconstrained glimpse-frame points -> canvas coordinates."""
    p = torch.tanh(z_s)
    return p @ theta[:, :, :2].transpose(1, 2) + theta[:, None, :, 2]


class ImageEncoder(nn.Module):
    """A small CNN: (B, S, S) image -> (B, features)."""

    def __init__(self, size: int, features: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                                  nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten())
        side = (size + 3) // 4
        self.out = nn.Linear(32 * side * side, features)

    def forward(self, img: Tensor) -> Tensor:
        return F.relu(self.out(self.body(img[:, None])))


class _Steps(nn.Module):
    """The RNNs and encoders a model (p or q) runs step by step."""

    def __init__(self, cfg: DoodConfig):
        super().__init__()
        self.cfg = cfg
        n_cp = 2 * (cfg.degree + 1)
        self.canvas_enc = ImageEncoder(cfg.size, cfg.features)
        self.glimpse_enc = ImageEncoder(cfg.glimpse, cfg.features)
        self.layout_rnn = nn.GRUCell(cfg.features + LAYOUT_DIM + n_cp, cfg.hidden)
        self.stroke_rnn = nn.GRUCell(cfg.features + LAYOUT_DIM + n_cp, cfg.hidden)
        self.on = nn.Linear(cfg.features + cfg.hidden, 1)

    def seen(self, img: Tensor) -> Tensor:
        return img.detach() if self.cfg.execution_guidance else torch.zeros_like(img)


class Generative(_Steps):
    """p: the layout GMM (Eq. 2), the control-point GMMs (Eq. 3), p_on (Eq. 4), sigma (Eq. 5)."""

    def __init__(self, cfg: DoodConfig):
        super().__init__(cfg)
        m = cfg.layout_components
        self.layout_head = nn.Linear(cfg.hidden, m * (1 + 2 * LAYOUT_DIM))
        self.stroke_heads = nn.ModuleList(GMMHead(cfg.hidden, cfg.stroke_components) for _ in range(cfg.degree + 1))
        self.log_sigma = nn.Parameter(torch.tensor(math.log(0.1)))  # Laplace scale of the pixels
        self.log_width = nn.Parameter(torch.tensor(math.log(cfg.stroke_width)))
        self.log_sharpness = nn.Parameter(torch.tensor(math.log(cfg.stroke_sharpness)))

    def layout_dist(self, h: Tensor) -> MixtureSameFamily:
        m = self.cfg.layout_components
        logits, mu, log_sd = self.layout_head(h).split([m, m * LAYOUT_DIM, m * LAYOUT_DIM], -1)
        comp = Independent(Normal(mu.unflatten(-1, (m, LAYOUT_DIM)),
                                  torch.exp(log_sd.unflatten(-1, (m, LAYOUT_DIM)).clamp(-7, 3))), 1)
        return MixtureSameFamily(Categorical(logits=logits), comp)

    def render(self, cp: Tensor) -> Tensor:
        return render_curves(cp, self.cfg.size, torch.exp(self.log_width), torch.exp(self.log_sharpness),
                             self.cfg.render_points)

    def image_log_prob(self, x: Tensor, canvas: Tensor, blur: float = 0.0) -> Tensor:
        """log Laplace(x | canvas, sigma) summed over pixels (B,) (Eq. 5); see :func:`laplace_log_prob`."""
        return laplace_log_prob(x, canvas, self.log_sigma, blur)


class Recognition(_Steps):
    """q: one Gaussian for the layout (Eq. 7) and per control point (Eq. 8), q_on on the residual."""

    def __init__(self, cfg: DoodConfig):
        super().__init__(cfg)
        self.target_enc = ImageEncoder(cfg.size, cfg.features)
        self.layout_rnn = nn.GRUCell(2 * cfg.features + LAYOUT_DIM + 2 * (cfg.degree + 1), cfg.hidden)
        self.layout_head = nn.Linear(cfg.hidden, 2 * LAYOUT_DIM)
        self.stroke_head = nn.Linear(cfg.hidden, 4 * (cfg.degree + 1))
        # NVIL's baseline b_t for stop decision t, from q's state before it (inputs detached by the caller)
        self.baseline = nn.Sequential(nn.Linear(2 * cfg.features + cfg.hidden, cfg.hidden), nn.ReLU(),
                                      nn.Linear(cfg.hidden, 1))

    def layout_dist(self, h: Tensor) -> Normal:
        mu, log_sd = self.layout_head(h).chunk(2, -1)
        return Normal(mu, torch.exp(log_sd.clamp(-7, 3)))

    def stroke_dist(self, h: Tensor) -> Normal:
        mu, log_sd = self.stroke_head(h).unflatten(-1, (self.cfg.degree + 1, 4)).split(2, -1)
        return Normal(mu, torch.exp(log_sd.clamp(-7, 3)))


@dataclass
class Trace:
    """One draw per image from q and its scores: log p(x | z) (B,); per step t (B, T) the stop
    decision's log ratio log p(o_t) - log q(o_t), the stroke's log p(c_t) - log q(c_t) (0 where
    the image did not draw), log q(o_t), NVIL's baseline b_t and whether o_t was drawn at all
    (the image had not stopped before); the number of strokes (B,), the final canvas (B, S, S),
    and per step the canvas-frame strokes and which images drew them."""

    log_lik: Tensor
    step_ratio_discrete: Tensor
    step_ratio_continuous: Tensor
    step_log_q: Tensor
    step_baseline: Tensor
    decided: Tensor
    n_strokes: Tensor
    canvas: Tensor
    strokes: list[Tensor]          # canvas-frame control points (DooD) or where (AIR) per step (B, ...)
    drawn: list[Tensor]            # per step: which images drew that step (B,) bool

    @property
    def step_ratio(self) -> Tensor:
        """r_t = both log ratios of step t (B, T): the ELBO's integrand is log_lik + sum_t r_t."""
        return self.step_ratio_discrete + self.step_ratio_continuous

    @property
    def log_ratio_continuous(self) -> Tensor:
        return self.step_ratio_continuous.sum(-1)

    @property
    def log_ratio_discrete(self) -> Tensor:
        return self.step_ratio_discrete.sum(-1)

    @property
    def log_q_discrete(self) -> Tensor:
        return self.step_log_q.sum(-1)

    @property
    def elbo(self) -> Tensor:
        return self.log_lik + self.log_ratio_continuous + self.log_ratio_discrete


def stop_decision(logit: Tensor, step: int, force_strokes: int | None = None) -> Tensor:
    """o_t ~ Bernoulli(sigmoid(logit)) (1: draw step ``step``, counted from 0); with
    ``force_strokes`` = n, 1 for the first n steps and 0 after."""
    if force_strokes is None:
        return torch.bernoulli(torch.sigmoid(logit.detach()))
    return torch.full_like(logit, float(step < force_strokes)).detach()


def forced_stroke_elbo(trace: Trace) -> Tensor:
    """The ELBO (B,) of a trace drawn with ``force_strokes``: its stop decisions came from a point
    mass, not from q, so log q(o) leaves the integrand: log p(x | z) + sum_t [log p(o_t) + log p(c_t)
    - log q(c_t)]. Its mean over draws, against n, says how many strokes the objective prefers."""
    return trace.elbo + trace.log_q_discrete


class StepRecord:
    """Collects a Trace's per-step terms while a model runs its steps (each (B,))."""

    def __init__(self):
        self.discrete, self.continuous, self.log_q, self.baseline, self.decided = [], [], [], [], []

    def decision(self, decided: Tensor, ratio: Tensor, log_q: Tensor, baseline: Tensor) -> None:
        zero = torch.zeros_like(ratio)
        self.discrete.append(torch.where(decided, ratio, zero))
        self.log_q.append(torch.where(decided, log_q, zero))
        self.baseline.append(baseline)
        self.decided.append(decided.clone())
        self.continuous.append(zero)  # replaced by :meth:`stroke` if the step draws

    def stroke(self, drawn: Tensor, ratio: Tensor) -> None:
        self.continuous[-1] = torch.where(drawn, ratio, torch.zeros_like(ratio))

    def trace(self, log_lik, n_strokes, canvas, strokes, drawn) -> Trace:
        s = lambda xs: torch.stack(xs, -1)  # noqa: E731
        return Trace(log_lik, s(self.discrete), s(self.continuous), s(self.log_q), s(self.baseline),
                     s(self.decided), n_strokes, canvas, strokes, drawn)


class DooD(nn.Module):
    """p and q together: :meth:`infer` draws from q and scores the draw under both (Eq. 9's
    integrand); :meth:`sample` draws images from p."""

    def __init__(self, cfg: DoodConfig = DoodConfig()):
        super().__init__()
        self.cfg = cfg
        self.p = Generative(cfg)
        self.q = Recognition(cfg)

    def infer(self, x: Tensor, blur: float = 0.0, force_strokes: int | None = None) -> Trace:
        """One draw from q per image of ``x`` (B, S, S), scored (``blur``: see :func:`laplace_log_prob`).
        ``force_strokes`` = n replaces q's stop decisions by n strokes on every image (a diagnostic:
        see :func:`forced_stroke_elbo`); the strokes themselves are still q's."""
        cfg, p, q = self.cfg, self.p, self.q
        b = x.shape[0]
        n_cp = 2 * (cfg.degree + 1)
        canvas = x.new_zeros(x.shape)
        hp_l, hp_s, hq_l, hq_s = (x.new_zeros(b, cfg.hidden) for _ in range(4))
        prev = x.new_zeros(b, LAYOUT_DIM + n_cp)
        alive = torch.ones(b, dtype=torch.bool, device=x.device)
        target = q.target_enc(x)
        n_strokes = x.new_zeros(b)
        record, strokes, drawn = StepRecord(), [], []
        for _ in range(cfg.max_strokes):  # after max_strokes the model stops for sure: no stop term
            residual = q.seen(x - canvas)
            f_res, f_can = q.canvas_enc(residual), p.canvas_enc(p.seen(canvas))
            q_on_logit = q.on(torch.cat([f_res, hq_l], -1))[:, 0]
            p_on_logit = p.on(torch.cat([f_can, hp_l], -1))[:, 0]
            o = stop_decision(q_on_logit, len(record.decided), force_strokes)
            lq, lp = bernoulli_log_prob(q_on_logit, o), bernoulli_log_prob(p_on_logit, o)
            record.decision(alive, lp - lq, lq, q.baseline(torch.cat([target, f_res, hq_l], -1).detach())[:, 0])
            alive = alive & (o > 0.5)
            if not alive.any():
                break
            # layout
            hq_l = q.layout_rnn(torch.cat([f_res, target, prev], -1), hq_l)
            hp_l = p.layout_rnn(torch.cat([f_can, prev], -1), hp_l)
            q_l = q.layout_dist(hq_l)
            z_l = q_l.rsample()
            ratio_c = p.layout_dist(hp_l).log_prob(z_l) - q_l.log_prob(z_l).sum(-1)
            theta = affine_matrix(z_l)
            # stroke in the glimpse: of the residual with EG; without it, of the target itself (the
            # ablation removes the canvas and residual, not the recognition model's view of x)
            g_q = q.glimpse_enc(glimpse(residual if cfg.execution_guidance else x, theta, cfg.glimpse))
            g_p = p.glimpse_enc(glimpse(p.seen(canvas), theta, cfg.glimpse))
            hq_s = q.stroke_rnn(torch.cat([g_q, z_l, prev[:, LAYOUT_DIM:]], -1), hq_s)
            hp_s = p.stroke_rnn(torch.cat([g_p, z_l, prev[:, LAYOUT_DIM:]], -1), hp_s)
            q_s = q.stroke_dist(hq_s)
            z_s = q_s.rsample()                                           # (B, D + 1, 2)
            lp_s = sum(gmm_log_prob(head(hp_s), z_s[:, d]) for d, head in enumerate(p.stroke_heads))
            record.stroke(alive, ratio_c + lp_s - q_s.log_prob(z_s).sum((-2, -1)))
            # render and composite
            cp = place_stroke(z_s, theta)
            stroke = p.render(cp) * alive[:, None, None].to(x.dtype)
            canvas = composite(canvas, stroke)
            prev = torch.cat([z_l, z_s.flatten(1)], -1)
            n_strokes = n_strokes + alive.to(x.dtype)
            strokes.append(cp)
            drawn.append(alive.clone())
        return record.trace(p.image_log_prob(x, canvas, blur), n_strokes, canvas, strokes, drawn)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """n images from p (the mean canvas, before pixel noise) and their stroke counts."""
        cfg, p = self.cfg, self.p
        dev = self.p.log_sigma.device
        n_cp = 2 * (cfg.degree + 1)
        canvas = torch.zeros(n, cfg.size, cfg.size, device=dev)
        h_l, h_s = torch.zeros(n, cfg.hidden, device=dev), torch.zeros(n, cfg.hidden, device=dev)
        prev = torch.zeros(n, LAYOUT_DIM + n_cp, device=dev)
        alive = torch.ones(n, dtype=torch.bool, device=dev)
        count = torch.zeros(n, device=dev)
        for _ in range(cfg.max_strokes):
            f_can = p.canvas_enc(p.seen(canvas))
            on = torch.sigmoid(p.on(torch.cat([f_can, h_l], -1))[:, 0])
            alive = alive & (torch.rand(n, generator=generator, device=dev) < on)
            if not alive.any():
                break
            h_l = p.layout_rnn(torch.cat([f_can, prev], -1), h_l)
            dist = p.layout_dist(h_l)
            comp = torch.multinomial(dist.mixture_distribution.probs, 1, generator=generator)[:, 0]
            comp_dist = dist.component_distribution.base_dist
            mu = comp_dist.loc[torch.arange(n), comp]
            sd = comp_dist.scale[torch.arange(n), comp]
            z_l = mu + sd * torch.randn(mu.shape, generator=generator, device=dev)
            theta = affine_matrix(z_l)
            g = p.glimpse_enc(glimpse(p.seen(canvas), theta, cfg.glimpse))
            h_s = p.stroke_rnn(torch.cat([g, z_l, prev[:, LAYOUT_DIM:]], -1), h_s)
            z_s = torch.stack([sample_gmm(head(h_s), generator=generator) for head in p.stroke_heads], 1)
            stroke = p.render(place_stroke(z_s, theta)) * alive[:, None, None].float()
            canvas = composite(canvas, stroke)
            prev = torch.cat([z_l, z_s.flatten(1)], -1)
            count = count + alive.float()
        return canvas, count
