"""The ELBO that DooD's ``infer`` estimates, against an exact computation on a toy model with one
stroke (Liang et al. 2022, Eq. 9): max_strokes = 1, one mixture component everywhere, every head's
weights zeroed so p and q are fixed Gaussians / Bernoullis, and a renderer that draws nothing, so
log p(x | z) is the constant log p(x | empty canvas). Then, with q_on = P_q(o = 1), p_on = P_p(o = 1),

    ELBO = (1 - q_on) [log(1 - p_on) - log(1 - q_on)]
         + q_on [log p_on - log q_on - KL(q(l) || p(l)) - KL(q(s) || p(s))] + log p(x | 0),

all in closed form. The Monte Carlo mean of many one-draw estimates must agree within 4 standard
errors; dropping or double-counting any term moves it by far more."""

import math

import torch
from torch.distributions import Normal, kl_divergence

from charchallenge.dood2022.model import LAYOUT_DIM, DooD, DoodConfig

SIZE = 16
Q_ON, P_ON = 0.9, 0.2
CFG = DoodConfig(size=SIZE, glimpse=8, max_strokes=1, degree=3, layout_components=1, stroke_components=1,
                 hidden=16, features=8, render_points=8)


def toy_model():
    torch.manual_seed(0)
    model = DooD(CFG)
    n_cp = CFG.degree + 1
    g = torch.Generator().manual_seed(3)
    q_l = (torch.randn(LAYOUT_DIM, generator=g), -1.0 + 0.3 * torch.randn(LAYOUT_DIM, generator=g))
    p_l = (torch.randn(LAYOUT_DIM, generator=g), 0.2 * torch.randn(LAYOUT_DIM, generator=g))
    q_s = (torch.randn(n_cp, 2, generator=g), -0.7 + 0.3 * torch.randn(n_cp, 2, generator=g))
    p_s = (torch.randn(n_cp, 2, generator=g), 0.1 * torch.randn(n_cp, 2, generator=g))
    with torch.no_grad():
        for layer in (model.q.layout_head, model.q.stroke_head, model.p.layout_head, model.q.on, model.p.on,
                      *(h.linear for h in model.p.stroke_heads)):
            layer.weight.zero_()
        model.q.on.bias.fill_(math.log(Q_ON / (1 - Q_ON)))
        model.p.on.bias.fill_(math.log(P_ON / (1 - P_ON)))
        model.q.layout_head.bias.copy_(torch.cat([q_l[0], q_l[1]]))
        model.q.stroke_head.bias.copy_(torch.cat([q_s[0], q_s[1]], -1).flatten())
        model.p.layout_head.bias.copy_(torch.cat([torch.zeros(1), p_l[0], p_l[1]]))
        for d, head in enumerate(model.p.stroke_heads):  # [logit, mu (2), log sigma (2), rho = 0]
            head.linear.bias.copy_(torch.cat([torch.zeros(1), p_s[0][d], p_s[1][d], torch.zeros(1)]))
    model.p.render = lambda cp: cp.new_zeros(len(cp), SIZE, SIZE)  # draws nothing
    return model, q_l, p_l, q_s, p_s


def exact_elbo(model, x, q_l, p_l, q_s, p_s) -> float:
    def kl(q, p):
        return float(kl_divergence(Normal(q[0], q[1].exp()), Normal(p[0], p[1].exp())).sum())

    q_on, p_on = Q_ON, P_ON
    log_lik = float(model.p.image_log_prob(x[None], torch.zeros_like(x)[None]))
    return ((1 - q_on) * (math.log(1 - p_on) - math.log(1 - q_on))
            + q_on * (math.log(p_on) - math.log(q_on) - kl(q_l, p_l) - kl(q_s, p_s)) + log_lik)


def test_monte_carlo_elbo_matches_the_exact_elbo_of_a_one_stroke_toy():
    model, *params = toy_model()
    x = (torch.rand(SIZE, SIZE, generator=torch.Generator().manual_seed(1)) > 0.8).float()
    exact = exact_elbo(model, x, *params)
    torch.manual_seed(2)
    with torch.no_grad():
        elbo = model.infer(x.repeat(40000, 1, 1)).elbo.double()
    mean, se = float(elbo.mean()), float(elbo.std() / math.sqrt(len(elbo)))
    assert abs(mean - exact) < 4 * se, (mean, exact, se)
    # the test has power: leaving out the stop terms or a KL would be caught
    stop_terms = (1 - Q_ON) * (math.log(1 - P_ON) - math.log(1 - Q_ON)) + Q_ON * (math.log(P_ON) - math.log(Q_ON))
    assert abs(stop_terms) > 10 * se
    assert 4 * se < 0.05 * abs(exact - float(model.p.image_log_prob(x[None], torch.zeros_like(x)[None])))
