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
        one_step = torch.zeros(n, 1)
        surrogate, _, _ = nvil_surrogate(log_lik, one_step, q.log_prob(o)[:, None],
                                         torch.full((n, 1), baseline_value), torch.ones(n, 1, dtype=torch.bool))
        (grad,) = torch.autograd.grad(surrogate.mean(), theta)
        assert abs(float(grad) - exact) < 0.03 * abs(exact) + 0.01
    # per-draw gradient variance: the baseline near E[f] helps
    q = torch.distributions.Bernoulli(logits=theta.detach().expand(n))
    o = q.sample()
    f = torch.where(o > 0, torch.tensor(f1), torch.tensor(f0))
    score = o - p  # d log q(o) / d theta
    assert float(((f - (-5.0)) * score).var()) < float((f * score).var())


def test_signal_is_reward_to_go_with_the_likelihood_divided_by_beta_and_the_elbo_is_unweighted():
    """Two steps, one image: the signal of o_1 sees r_1 + r_2, that of o_2 only r_2 (o_2 cannot
    change step 1), both with log p(x | z) / beta; the surrogate's value is the plain ELBO plus the
    score terms, and the baseline regresses on each step's signal."""
    ll = torch.tensor([-12.0])
    ratio = torch.tensor([[-2.0, -1.0]])
    log_q = torch.tensor([[-0.5, -0.25]])
    b = torch.tensor([[-6.0, -3.0]])
    decided = torch.tensor([[True, True]])
    s, b_loss, elbo = nvil_surrogate(ll, ratio, log_q, b, decided, beta=4.0)
    signal = [-12.0 / 4 - 3.0, -12.0 / 4 - 1.0]          # -6, -4
    assert float(elbo) == -15.0
    assert float(s) == -15.0 + (signal[0] + 6.0) * -0.5 + (signal[1] + 3.0) * -0.25
    assert float(b_loss) == (signal[0] + 6.0) ** 2 + (signal[1] + 3.0) ** 2


def test_steps_not_decided_enter_neither_the_elbo_nor_the_signal():
    ll = torch.tensor([-12.0])
    ratio, log_q = torch.tensor([[-2.0, -100.0]]), torch.tensor([[-0.5, -7.0]])
    s, b_loss, elbo = nvil_surrogate(ll, ratio, log_q, torch.zeros(1, 2), torch.tensor([[True, False]]), beta=1.0)
    assert float(elbo) == -14.0
    assert float(s) == -14.0 + (-14.0) * -0.5
    assert float(b_loss) == 14.0**2


def test_surrogate_gradient_reaches_the_stop_logits_not_the_baseline():
    """The model's loss must not move the baseline and the baseline's loss must not move the model:
    each gets only its own gradient (the baseline is detached in the surrogate; the signal in its loss)."""
    logit = torch.tensor([0.2], requires_grad=True)
    bl = torch.tensor([[1.0]], requires_grad=True)
    q = torch.distributions.Bernoulli(logits=logit)
    o = torch.tensor([1.0])
    s, b_loss, _ = nvil_surrogate(torch.tensor([-5.0]), torch.zeros(1, 1), q.log_prob(o)[:, None], bl,
                                  torch.ones(1, 1, dtype=torch.bool))
    g_logit, g_bl = torch.autograd.grad(s.sum(), [logit, bl], allow_unused=True)
    assert g_bl is None and float(g_logit) != 0.0
    (g_logit,) = torch.autograd.grad(b_loss.sum(), [logit], allow_unused=True)
    assert g_logit is None


def test_signal_normaliser_centres_and_scales():
    norm = SignalNormaliser(decay=0.0)
    out = norm(torch.tensor([10.0, 14.0, 18.0]))
    assert torch.allclose(out, torch.tensor([-4.0, 0.0, 4.0]) / math.sqrt(32 / 3))


def test_signal_normaliser_takes_its_statistics_from_the_masked_entries_only():
    norm = SignalNormaliser(decay=0.0)
    out = norm(torch.tensor([10.0, 14.0, 18.0, 1000.0]), torch.tensor([True, True, True, False]))
    assert torch.allclose(out[:3], torch.tensor([-4.0, 0.0, 4.0]) / math.sqrt(32 / 3))


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
