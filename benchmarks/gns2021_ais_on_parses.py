"""Annealed importance sampling on real GNS parses (Table 3's check, issue 28): the pipeline's Langevin
sampler (:class:`charchallenge.gns2021.annealing.AnnealedSampler`, one MALA step per temperature) against
the Hamiltonian one (:class:`charchallenge.gns2021.hmc_annealing.HamiltonianAnnealedSampler`, L leapfrog
steps per temperature), both at K and K/4 temperatures, on the SAME fitted parses
(`python benchmarks/gns2021_ais_on_parses.py`).

The parses are made as :func:`charchallenge.gns2021.likelihood.fit_and_integrate` makes them, at the
quick scale's params (params.yaml, ``scale: quick``): a few seeded held-out drawings
(:func:`.likelihood.held_out_images`; default 4, the first of the pipeline's seeded draw), their top
parses, one batched Adam fit, the climb to the peak (:func:`.climb.climb_to_peak`) and the curvature
blocks (Gauss-Newton, the pipeline's default). To fit the time budget the fit and the climb are SHORTER
than the quick pipeline's (defaults: the quick ``gns2021.fit.iterations``, 150, instead of
``likelihood.iterations``, 600; 100 L-BFGS iterations x 2 rounds instead of 200 x 3): the bounds are
therefore not the pipeline's numbers, but both samplers integrate the same f around the same points.

K is chosen from a sampling budget in seconds (``--budget``) and the measured time of one gradient
evaluation of all chains of all parses (unless ``--temperatures`` is given), and printed. Per sampler it
prints the per-image medians of: the bound (Eq. 12, the log-sum over the image's parses of the per-parse
annealed log integrals, :func:`.laplace.image_bound`), the gap between the bounds of the two halves of
the chains, the gain of K temperatures over K/4, Eq. 11 (Laplace) minus the bound; the seconds and
gradient evaluations of the K and K/4 runs; and the ratios HMC / MALA. The issue's criteria (params
``gns2021.likelihood.evidence``) are applied to each sampler (:func:`.annealing.annealed_verdict`)."""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import load  # noqa: E402
from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.gns2021.annealing import AnnealedSampler, annealed_verdict  # noqa: E402
from charchallenge.gns2021.climb import climb_to_peak  # noqa: E402
from charchallenge.gns2021.fit import FitParams, fit_parses  # noqa: E402
from charchallenge.gns2021.hmc_annealing import HamiltonianAnnealedSampler  # noqa: E402
from charchallenge.gns2021.laplace import image_bound, laplace_terms  # noqa: E402
from charchallenge.gns2021.likelihood import held_out_images  # noqa: E402
from charchallenge.gns2021.parses import parse_images  # noqa: E402
from charchallenge.gns2021.runtime import reproducible  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402

DATA = Path("/work/main/data")


def counted_run(sampler, temperatures: int, seed: int):
    """One run of ``sampler`` at ``temperatures``: its estimate, seconds and gradient evaluations
    (calls of the joint, each a batch of every chain of every parse)."""
    calls = [0]
    joint = sampler.joint
    plain = joint.differentiable

    def counted(delta):
        calls[0] += 1
        return plain(delta)

    joint.differentiable = counted
    try:
        start = time.perf_counter()
        out = sampler.run(temperatures, torch.Generator().manual_seed(seed))
        seconds = time.perf_counter() - start
    finally:
        del joint.differentiable  # back to the class's method
    return out, seconds, calls[0]


def per_image(owner: np.ndarray, laplace: torch.Tensor, full, quarter) -> dict:
    """Per image (sorted drawings): Laplace bound, annealed bound, split-half gap, gain over K/4."""
    rows = {"drawing": [], "laplace": [], "bound": [], "split": [], "gain": []}
    for i in np.unique(owner):
        idx = torch.tensor(np.flatnonzero(owner == i))
        bound = image_bound(full.log_integral[idx].double())
        halves = [image_bound(full.halves[h, idx].double()) for h in (0, 1)]
        rows["drawing"].append(int(i))
        rows["laplace"].append(image_bound(laplace[idx].double()))
        rows["bound"].append(bound)
        rows["split"].append(abs(halves[0] - halves[1]))
        rows["gain"].append(bound - image_bound(quarter.log_integral[idx].double()))
    return {k: np.asarray(v, dtype=float) for k, v in rows.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--fit-iterations", type=int, default=None, help="default: quick gns2021.fit.iterations")
    ap.add_argument("--polish-iterations", type=int, default=100)
    ap.add_argument("--polish-rounds", type=int, default=2)
    ap.add_argument("--leapfrog", type=int, default=4, help="leapfrog steps per temperature of HMC")
    ap.add_argument("--temperatures", type=int, default=None, help="K; default: from --budget")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds for all four sampler runs (sets K)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--type-model", default=str(DATA / "models/feinman2020/quick/full_ns_holdout.pt"))
    ap.add_argument("--dataset", default=str(DATA / "processed/omniglot_small.npz"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    run = load(overrides={"scale": "quick"})
    g, seed = run["gns2021"], run["seed"]
    lp, ap_params, ev = g["likelihood"], g["likelihood"]["annealing"], g["likelihood"]["evidence"]
    reproducible(seed)
    t0 = time.perf_counter()
    dataset = OmniglotDataset.load(Path(args.dataset))
    type_model = load_type_model(args.type_model, device="cpu")
    chosen = held_out_images(dataset, run["data"]["background"], args.images, seed)
    chosen_images = np.stack([dataset.image(i) for i in chosen])
    parses, index = parse_images(chosen_images, type_model, g["parsing"], seed, [f"drawing {i}" for i in chosen])
    owner = np.asarray([chosen[j] for j in index])
    images = torch.tensor(chosen_images[index], dtype=torch.float32)
    t_parse = time.perf_counter() - t0
    fit_iterations = args.fit_iterations or g["fit"]["iterations"]
    fitted = fit_parses(parses, images, type_model, params=FitParams(**{**g["fit"], "iterations": fit_iterations}))
    t_fit = time.perf_counter() - t0 - t_parse
    fitted, _, _, (at_peak, curvatures, gradients, ascent) = climb_to_peak(
        fitted, images, type_model, args.polish_iterations, args.polish_rounds, lp["polish_tolerance"],
        curvature=lp["curvature"])
    laplace = laplace_terms(at_peak, curvatures, gradients).log_integral
    t_climb = time.perf_counter() - t0 - t_parse - t_fit
    chains = ap_params["chains"]
    kw = dict(floor=lp["proposal_floor"], power=ap_params["power"], dtype=torch.float32)
    mala = AnnealedSampler(fitted, images, type_model, curvatures, chains, **kw)
    hmc = HamiltonianAnnealedSampler(fitted, images, type_model, curvatures, chains, leapfrog_steps=args.leapfrog, **kw)
    # one gradient evaluation of every chain of every parse (as the samplers take it), timed
    d_max = max(len(h) for h in curvatures)
    probe = torch.zeros(len(curvatures) * chains, d_max, requires_grad=True)
    mala.joint.differentiable(probe).sum().backward()
    start = time.perf_counter()
    for _ in range(3):
        probe.grad = None
        mala.joint.differentiable(probe).sum().backward()
    per_gradient = (time.perf_counter() - start) / 3
    L = args.leapfrog
    if args.temperatures:
        k = args.temperatures
    else:  # gradients of the four runs: (K + K/4) (1 + L), about
        k = int(args.budget / (1.25 * (1 + L) * per_gradient)) // 4 * 4
        k = max(8, min(k, 400))
    print(f"{len(chosen)} held-out drawings {chosen}, {len(owner)} parses (dims {min(len(h) for h in curvatures)}-"
          f"{d_max}), {chains} chains, float32, {args.threads} threads, CPU")
    print(f"fit {fit_iterations} Adam iterations (pipeline quick: {lp['iterations']}), climb {args.polish_iterations} "
          f"L-BFGS x {args.polish_rounds} rounds (pipeline quick: {lp['polish_iterations']} x {lp['polish_rounds']}), "
          f"{lp['curvature']} curvature; median Newton gain left {float(ascent.median()):.3g} nats; "
          f"{int(torch.isnan(laplace).sum())} parses excluded from Eq. 11")
    print(f"seconds: parse {t_parse:.0f}, fit {t_fit:.0f}, climb+curvature {t_climb:.0f}; "
          f"one gradient evaluation {per_gradient:.2f} s")
    print(f"K = {k} temperatures (quarter: {k // 4}), power {ap_params['power']}, HMC L = {L} leapfrog steps")
    results = {}
    for name, sampler in ((f"MALA", mala), (f"HMC L={L}", hmc)):
        full, s_full, g_full = counted_run(sampler, k, seed + 3)
        quarter, s_quarter, g_quarter = counted_run(sampler, k // 4, seed + 4)
        table = per_image(owner, laplace, full, quarter)
        results[name] = dict(table=table, s_full=s_full, s_quarter=s_quarter, g_full=g_full, g_quarter=g_quarter,
                             acceptance=float(full.acceptance.median()), ess=float(full.ess.median()),
                             bound=float(np.median(table["bound"])), split=float(np.median(table["split"])),
                             gain=float(np.median(table["gain"])),
                             laplace_gap=float(np.nanmedian(table["laplace"] - table["bound"])))
        print(f"  {name}: done in {s_full + s_quarter:.0f} s", flush=True)
    print()
    print("per image (nats): annealed bound at K, split-half gap, gain of K over K/4, Eq. 11 minus bound")
    drawings = results["MALA"]["table"]["drawing"]
    head = f"{'drawing':>8s} {'Eq.11':>9s}" + "".join(
        f" | {n + ' bound':>15s} {'split':>6s} {'gain':>6s} {'L-bnd':>7s}" for n in results)
    print(head)
    for j, d in enumerate(drawings):
        line = f"{int(d):8d} {results['MALA']['table']['laplace'][j]:9.2f}"
        for r in results.values():
            t = r["table"]
            line += (f" | {t['bound'][j]:15.2f} {t['split'][j]:6.2f} {t['gain'][j]:+6.2f} "
                     f"{t['laplace'][j] - t['bound'][j]:+7.2f}")
        print(line)
    print()
    print(f"medians over {len(drawings)} images; criteria: split <= {ev['max_split_half_gap']}, "
          f"gain <= {ev['max_schedule_gain']} nats")
    print(f"{'sampler':10s} {'bound':>9s} {'split':>6s} {'gain':>6s} {'Eq11-bnd':>8s} {'accept':>6s} {'ess':>5s} "
          f"{'s(K)':>7s} {'s(K/4)':>7s} {'grads K':>7s} {'grads K/4':>9s}  verdict")
    for name, r in results.items():
        verdict = annealed_verdict(r["split"], r["gain"], ev["max_split_half_gap"], ev["max_schedule_gain"])
        print(f"{name:10s} {r['bound']:9.2f} {r['split']:6.2f} {r['gain']:+6.2f} {r['laplace_gap']:+8.2f} "
              f"{r['acceptance']:6.2f} {r['ess']:5.2f} {r['s_full']:7.1f} {r['s_quarter']:7.1f} {r['g_full']:7d} "
              f"{r['g_quarter']:9d}  {verdict}")
    m, h = results["MALA"], results[f"HMC L={L}"]
    print(f"HMC / MALA: seconds (K) {h['s_full'] / m['s_full']:.2f}, gradients (K) {h['g_full'] / m['g_full']:.2f}, "
          f"split-half gap {h['split'] / m['split']:.2f}, gain over K/4 {h['gain'] / m['gain']:.2f}; "
          f"bound HMC - MALA {h['bound'] - m['bound']:+.2f} nats (median image)")
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
