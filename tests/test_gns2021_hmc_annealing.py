"""Annealed importance sampling with Hamiltonian Monte Carlo transitions (:mod:`charchallenge.gns2021.hmc_annealing`)
on integrals known in closed form, against the one-Langevin-step sampler of :mod:`charchallenge.gns2021.annealing`."""

import math

import pytest
import torch

from charchallenge.gns2021.annealing import annealed_log_integrals
from charchallenge.gns2021.hmc_annealing import hmc_annealed_log_integrals, leapfrog
from charchallenge.gns2021.laplace import LOG_2PI, laplace_terms
from test_gns2021_marginal import quadratic_joint


def banana(pairs: int, bend: float):
    """f(x) = sum over pairs (x1, x2) of -x1^2 / 2 - (x2 - bend x1^2)^2 / 2: the substitution
    x2 -> x2 - bend x1^2 has unit Jacobian, so the integral of e^f is (2 pi)^pairs exactly; f peaks at
    0 with Hessian -I there (the Laplace Gaussian is N(0, I) and Eq. 11 is exact), yet e^f is bent."""

    def joint(x):
        x1, x2 = x[:, 0::2], x[:, 1::2]
        return (-0.5 * x1**2 - 0.5 * (x2 - bend * x1**2) ** 2).sum(1)

    return joint, [-torch.eye(2 * pairs, dtype=torch.float64)], pairs * LOG_2PI


def test_one_temperature_or_a_proposal_equal_to_the_target_gives_every_chain_the_exact_weight():
    a2 = torch.tensor([[2.0, 0.3], [0.3, 0.5]], dtype=torch.float64)
    a3 = torch.diag(torch.tensor([4.0, 0.01, 9.0], dtype=torch.float64))
    peaks = torch.tensor([-3.0, -40.0], dtype=torch.float64)
    for temperatures in (1, 10):
        est = hmc_annealed_log_integrals(quadratic_joint(peaks, [a2, a3], 16), [-a2, -a3], 16, temperatures,
                                         torch.Generator().manual_seed(0), leapfrog_steps=3)
        torch.testing.assert_close(est.log_integral, laplace_terms(peaks, [-a2, -a3]).log_integral, rtol=0, atol=1e-9)
        torch.testing.assert_close(est.ess, torch.full((2,), 16.0, dtype=torch.float64))
    assert est.halves.shape == (2, 2) and est.evaluations == 1 + 9 * 3
    assert ((est.acceptance > 0.9) & (est.acceptance <= 1)).all()  # pi_beta = q: leapfrog is near exact
    for bad, match in [(dict(chains=1), "at least 2 chains"), (dict(temperatures=0), "at least 1 temperature"),
                       (dict(leapfrog_steps=0), "at least 1 leapfrog step")]:
        kw = dict(chains=4, temperatures=10, leapfrog_steps=2) | bad
        with pytest.raises(ValueError, match=match):
            hmc_annealed_log_integrals(quadratic_joint(peaks, [a2, a3], kw["chains"]), [-a2, -a3], kw["chains"],
                                       kw["temperatures"], torch.Generator(), kw["leapfrog_steps"])


def test_the_leapfrog_kernel_leaves_its_gaussian_target_invariant():
    # pi(e) = N(0, I) e^(w(e)) with w = 3|e|^2 / 8: N(0, 4 I); chains started at N(0, I) reach it
    weight = lambda e: (0.375 * (e**2).sum(1), 0.75 * e)  # noqa: E731
    g = torch.Generator().manual_seed(0)
    e = torch.randn(1000, 10, dtype=torch.float64, generator=g)
    w, grad = weight(e)
    one = torch.tensor(1.0, dtype=torch.float64)
    for _ in range(60):
        p = torch.randn(e.shape, dtype=torch.float64, generator=g)
        end, p_end, w_end, grad_end = leapfrog(e, p, grad - e, torch.full((1000, 1), 0.4, dtype=torch.float64), 6,
                                               weight, one)
        change = (-w_end + 0.5 * (end**2).sum(1) + 0.5 * (p_end**2).sum(1)) - (-w + 0.5 * (e**2).sum(1) + 0.5 * (p**2).sum(1))
        accept = torch.log(torch.rand(1000, dtype=torch.float64, generator=g)) < -change
        e, w = torch.where(accept[:, None], end, e), torch.where(accept, w_end, w)
        grad = torch.where(accept[:, None], grad_end, grad)
    assert float(e.var(0).mean()) == pytest.approx(4.0, rel=0.05)


def test_hmc_annealing_finds_the_integral_of_a_gaussian_four_times_as_wide_as_the_proposal():
    # as test_gns2021_marginal's annealing test: plain importance sampling falls far short here
    d = 20
    a = torch.eye(d, dtype=torch.float64)
    peaks = torch.tensor([-3.0], dtype=torch.float64)
    truth = float(peaks + 0.5 * d * LOG_2PI - 0.5 * torch.logdet(a / 4))
    est = hmc_annealed_log_integrals(quadratic_joint(peaks, [a / 4], 500), [-a], 500, 20,
                                     torch.Generator().manual_seed(2), leapfrog_steps=8)
    print(f"truth {truth:.3f}, HMC annealed {float(est.log_integral[0]):.3f}, halves {est.halves[:, 0].tolist()}")
    assert float(est.log_integral[0]) == pytest.approx(truth, abs=0.25)
    assert float((est.halves[0] - est.halves[1]).abs()[0]) < 0.5


def test_a_chain_leaving_the_support_is_rejected_and_the_truncated_integral_is_found():
    # e^f = N(0, I) restricted to |x_1| < 1 (f = -inf outside): the integral is
    # (2 pi)^(d/2) erf(1 / sqrt 2); trajectories that cross the edge must be rejected, not followed
    d = 4

    def joint(x):
        inside = x[:, 0].abs() < 1
        return torch.where(inside, -0.5 * (x**2).sum(1) - 0.5 * d * LOG_2PI, torch.full_like(x[:, 0], -math.inf))

    truth = math.log(math.erf(1 / math.sqrt(2)))
    est = hmc_annealed_log_integrals(joint, [-torch.eye(d, dtype=torch.float64)], 2000, 10,
                                     torch.Generator().manual_seed(3), leapfrog_steps=5)
    assert torch.isfinite(est.log_integral).all()
    assert float(est.log_integral[0]) == pytest.approx(truth, abs=0.05)


def test_one_langevin_step_per_temperature_underestimates_a_bent_integral_that_hmc_recovers():
    # a banana in 10 pairs of coordinates, its bend 1.5: with 80 temperatures, one Langevin step each
    # leaves the chains behind the bending densities and the estimate falls more than 0.75 nats short
    # (1.0 to 1.3 over seeds 0-2 at 2000 chains); 8 leapfrog steps per temperature keep up (-0.3 to
    # +0.05 over the same seeds)
    joint, blocks, truth = banana(10, 1.5)
    chains, temperatures = 2000, 80
    mala = annealed_log_integrals(joint, blocks, chains, temperatures, torch.Generator().manual_seed(0))
    hmc = hmc_annealed_log_integrals(joint, blocks, chains, temperatures, torch.Generator().manual_seed(0),
                                     leapfrog_steps=8)
    mala_gap, hmc_gap = truth - float(mala.log_integral[0]), truth - float(hmc.log_integral[0])
    print(f"truth {truth:.3f}: MALA short by {mala_gap:.3f} nats, HMC by {hmc_gap:.3f}")
    assert mala_gap > 0.75
    assert abs(hmc_gap) < 0.35
    assert mala_gap - hmc_gap > 0.6
