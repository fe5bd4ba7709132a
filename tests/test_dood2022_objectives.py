"""DooD's objectives: the NVIL estimator's gradient is unbiased on a toy problem (mean over many
draws against the exact gradient, and plain REINFORCE's variance is larger), and the IWAE bound
tightens towards log p(x) with more samples."""

import math

import torch

from charchallenge.dood2022.objectives import SignalNormaliser, iwae_bound, nvil_surrogate


def test_nvil_gradient_is_unbiased_and_its_baseline_lowers_the_variance():
    """q(o) = Bernoulli(sigmoid(theta)), f(o) = log_lik(o) + theta-independent terms: the exact
    gradient of E_q[f] is dp/dtheta (f(1) - f(0)). The surrogate's gradient averaged over draws
    must match it, with a constant baseline (no normalisation) and without one."""
    torch.manual_seed(0)
    theta = torch.tensor(0.3, requires_grad=True)
    f1, f0 = -3.0, -7.5
    p = torch.sigmoid(theta.detach())
    exact = float(p * (1 - p) * (f1 - f0))
    n = 200_000
    for baseline_value in (0.0, -5.0):
        q = torch.distributions.Bernoulli(logits=theta.expand(n))
        o = q.sample()
        log_lik = torch.where(o > 0, torch.tensor(f1), torch.tensor(f0))
        zero = torch.zeros(n)
        surrogate, _, _ = nvil_surrogate(log_lik, zero, zero, q.log_prob(o), torch.full((n,), baseline_value))
        (grad,) = torch.autograd.grad(surrogate.mean(), theta)
        assert abs(float(grad) - exact) < 0.03 * abs(exact) + 0.01
    # per-draw gradient variance: the baseline near E[f] helps
    q = torch.distributions.Bernoulli(logits=theta.detach().expand(n))
    o = q.sample()
    f = torch.where(o > 0, torch.tensor(f1), torch.tensor(f0))
    score = o - p  # d log q(o) / d theta
    assert float(((f - (-5.0)) * score).var()) < float((f * score).var())


def test_beta_weights_only_the_discrete_kl_and_the_returned_elbo_is_unweighted():
    ll, rc, rd, lq = torch.tensor([-10.0]), torch.tensor([-2.0]), torch.tensor([-1.0]), torch.tensor([-0.5])
    s, b_loss, elbo = nvil_surrogate(ll, rc, rd, lq, torch.tensor([-12.0]), beta=3.0)
    assert float(elbo) == -13.0
    assert float(s) == -10.0 - 2.0 - 3.0 + (-15.0 + 12.0) * -0.5
    assert float(b_loss) == 9.0


def test_signal_normaliser_centres_and_scales():
    norm = SignalNormaliser(decay=0.0)
    out = norm(torch.tensor([10.0, 14.0, 18.0]))
    assert torch.allclose(out, torch.tensor([-4.0, 0.0, 4.0]) / math.sqrt(32 / 3))


def test_iwae_bound_tightens_with_more_samples_towards_log_p():
    """Toy model: z ~ N(0, 1), x | z ~ N(z, 1), q(z | x) = N(x / 2, 1) (the posterior has variance
    1/2, so q is deliberately too wide): log p(x) = log N(x; 0, 2) exactly."""
    torch.manual_seed(1)
    x = 1.3
    log_p = float(torch.distributions.Normal(0.0, math.sqrt(2.0)).log_prob(torch.tensor(x)))
    means = []
    for k in (1, 5, 50):
        z = x / 2 + torch.randn(k, 4000)
        log_w = (torch.distributions.Normal(0.0, 1.0).log_prob(z) + torch.distributions.Normal(z, 1.0).log_prob(torch.tensor(x))
                 - torch.distributions.Normal(x / 2, 1.0).log_prob(z))
        means.append(float(iwae_bound(log_w).mean()))
    assert means[0] < means[1] < means[2] < log_p
    assert log_p - means[2] < 0.02
