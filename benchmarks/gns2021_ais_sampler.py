"""Annealed importance sampling: one Langevin step per temperature (:func:`charchallenge.gns2021.annealing.
annealed_log_integrals`, the pipeline's sampler) against L leapfrog steps per temperature
(:func:`charchallenge.gns2021.hmc_annealing.hmc_annealed_log_integrals`) on integrals known in closed form,
in one run (`python benchmarks/gns2021_ais_sampler.py`). Needs no pipeline data.

Per target and sampler it prints the estimate of log Z minus the truth, the gap between the estimates of
the two halves of the chains, the gain of the full schedule over a quarter of its temperatures (the
pipeline's two checks of issue #28), the seconds of the full run, its gradient evaluations, and the nats it
gains over plain importance sampling from the proposal (one temperature, as many chains; the median of 9
seeds) per second; then
the ratio of HMC's nats per second to the Langevin sampler's. The Langevin sampler is run at the same
number of temperatures and at L times as many (as many gradient evaluations as HMC)."""

import argparse
import math
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.gns2021.annealing import annealed_log_integrals  # noqa: E402
from charchallenge.gns2021.hmc_annealing import hmc_annealed_log_integrals  # noqa: E402
from charchallenge.gns2021.laplace import LOG_2PI  # noqa: E402

F64 = torch.float64


def wide_gaussian(d=20, width=2.0):
    """e^f = N(0, width^2 I) unnormalised, proposal N(0, I): plain importance sampling's weights have
    infinite variance (as in tests/test_gns2021_marginal.py)."""
    return (lambda x: -0.5 * (x**2).sum(1) / width**2), [-torch.eye(d, dtype=F64)], 0.5 * d * LOG_2PI + d * math.log(width)


def student_t(d=20, nu=10.0):
    """e^f = (1 + |x|^2 / nu)^-(nu + d) / 2, proposal its Laplace Gaussian N(0, nu / (nu + d) I): heavy tails."""
    truth = math.lgamma(nu / 2) + 0.5 * d * math.log(nu * math.pi) - math.lgamma((nu + d) / 2)
    return (lambda x: -0.5 * (nu + d) * torch.log1p((x**2).sum(1) / nu)), [-(nu + d) / nu * torch.eye(d, dtype=F64)], truth


def banana(pairs=10, bend=1.5):
    """e^f = prod over pairs of exp(-x1^2 / 2 - (x2 - bend x1^2)^2 / 2), proposal its Laplace Gaussian N(0, I):
    bent (the test's target)."""

    def joint(x):
        x1, x2 = x[:, 0::2], x[:, 1::2]
        return (-0.5 * x1**2 - 0.5 * (x2 - bend * x1**2) ** 2).sum(1)

    return joint, [-torch.eye(2 * pairs, dtype=F64)], pairs * LOG_2PI


TARGETS = {"gaussian x2 wide, d=20": wide_gaussian, "student-t nu=10, d=20": student_t, "banana bend 1.5, d=20": banana}


def counting(joint):
    """``joint`` and a counter of its calls (each a batch of every chain: one gradient evaluation)."""
    calls = [0]

    def counted(x):
        calls[0] += 1
        return joint(x)

    return counted, calls


def measure(sampler, joint, blocks, chains, temperatures, seed, baseline):
    counted, calls = counting(joint)
    start = time.perf_counter()
    full = sampler(counted, blocks, chains, temperatures, torch.Generator().manual_seed(seed))
    seconds = time.perf_counter() - start
    quarter = sampler(joint, blocks, chains, max(temperatures // 4, 1), torch.Generator().manual_seed(seed + 1))
    estimate = float(full.log_integral[0])
    return dict(estimate=estimate, halves=float((full.halves[0] - full.halves[1]).abs()[0]),
                gain=estimate - float(quarter.log_integral[0]), seconds=seconds, gradients=calls[0],
                acceptance=float(full.acceptance[0]), per_second=(estimate - baseline) / seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chains", type=int, default=1000)
    ap.add_argument("--temperatures", type=int, default=80)
    ap.add_argument("--leapfrog", type=int, default=8, help="leapfrog steps per temperature of HMC")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    k, L = args.temperatures, args.leapfrog
    hmc = lambda *a: hmc_annealed_log_integrals(*a, leapfrog_steps=L)  # noqa: E731
    print(f"{args.chains} chains, {k} temperatures (quarter: {k // 4}), HMC {L} leapfrog steps, float64, 1 thread, CPU")
    print("gain/s: nats over plain importance sampling per second of the full run")
    head = f"{'target':24s} {'sampler':18s} {'logZ-truth':>10s} {'halves':>7s} {'full-qtr':>8s} {'accept':>6s} " \
           f"{'grads':>6s} {'seconds':>8s} {'gain/s':>8s}"
    print(head)
    for name, make in TARGETS.items():
        joint, blocks, truth = make()
        # plain importance sampling's weights can have infinite variance (the first two targets): one run's
        # estimate may land far above the truth, so the baseline is the median of 9 seeds
        plain = float(torch.tensor([float(annealed_log_integrals(joint, blocks, args.chains, 1,
                                                                 torch.Generator().manual_seed(args.seed + 100 + s))
                                          .log_integral[0]) for s in range(9)]).median())
        print(f"{name:24s} {'importance sampl.':18s} {plain - truth:+10.3f}   (median of 9 seeds)")
        rows = {f"MALA K={k}": measure(annealed_log_integrals, joint, blocks, args.chains, k, args.seed, plain),
                f"MALA K={k * L}": measure(annealed_log_integrals, joint, blocks, args.chains, k * L, args.seed, plain),
                f"HMC K={k} L={L}": measure(hmc, joint, blocks, args.chains, k, args.seed, plain)}
        for label, r in rows.items():
            print(f"{'':24s} {label:18s} {r['estimate'] - truth:+10.3f} {r['halves']:7.3f} {r['gain']:+8.3f} "
                  f"{r['acceptance']:6.2f} {r['gradients']:6d} {r['seconds']:8.3f} {r['per_second']:8.2f}")
        old, same_cost, new = rows.values()
        print(f"{'':24s} nats/s HMC / MALA same K: {new['per_second'] / old['per_second']:.2f}; "
              f"HMC / MALA same gradients: {new['per_second'] / same_cost['per_second']:.2f}")


if __name__ == "__main__":
    main()
