"""GNS one-shot classification refits (issue 26): where a refit iteration's time goes and what four
levers would buy, measured on ONE validation episode from the background alphabets (never a test
episode), at the quick scale's settings (`python benchmarks/gns2021_refit_levers.py`).

1. profile: a refit iteration's time by stage (token model, spline + paint, broaden, blur,
   likelihood, backward, Adam step) and by op (torch profiler), on one chunk of refit rows;
2. blur: :func:`charchallenge.render.gaussian_blur` (banded matrix products) against a separable
   1-D convolution of the same kernel and zero padding, pass by pass (defined here, not in the
   package): time forward + backward and the differences of images, log-likelihoods and gradients;
3. converged-pair stop: every pair refitted for 200 iterations, its tuned score recorded every 10;
   stopping rules "gain < tol nats over the last w iterations" against the 200- and 100-iteration
   two-way (Eq. 5) decisions;
4. pruning: after n iterations, the classes that can still win each trial if no pair's remaining
   gain exceeds the largest (and no pair's loss the largest) any pair made from n to 200.

Nothing of the package is changed; the episode is generated into a temporary folder. Default
10-way (20 images, ~340 pairs, ~3.5 min on one thread); ``--way 20`` is the test set's size (~4x).
Tried ad hoc on 200 random canvases and left out as no faster than the matmul at kernel 21: 21
shifted multiply-adds per pass (4.3x slower fwd+bwd), a depthwise conv1d with rows as channels
(2.5x slower), and the band matrix built as taps @ one-hot selector (bitwise equal, 1.1x slower)."""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge import render  # noqa: E402
from charchallenge.config import resolve  # noqa: E402
from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.data.episodes import generate_runs, load_runs  # noqa: E402
from charchallenge.feinman2020.splits import holdout_split  # noqa: E402
from charchallenge.gns2021.classify import (RefitParams, episode_scores, parse_score_table, predictions,  # noqa: E402
                                            refit_grid, _render_start)
from charchallenge.gns2021.episode_fit import parse_and_fit  # noqa: E402
from charchallenge.gns2021.fit import tune_blur  # noqa: E402
from charchallenge.gns2021.image_model import (BLUR, EPS, canvas_log_likelihood, ink_canvas,  # noqa: E402
                                               spline_trajectories)
from charchallenge.gns2021.runtime import reproducible  # noqa: E402
from charchallenge.gns2021.token_model import TokenModel, TokenNoise  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402

DATA = Path("/work/main/data")


# ---------------------------------------------------------------- the separable blur (lever 2)
def gaussian_blur_separable(img, sigma, kernel_size: int = 11, passes: int = 2, how: str = "conv"):
    """The blur of :func:`render.gaussian_blur` - same normalised Gaussian taps, zero padding after
    every 1-D pass, clamp - as ``passes`` x (1-D pass down the columns, 1-D pass along the rows).
    ``how``: ``conv`` (depthwise conv2d, one group per image) or ``unfold`` (windows x taps)."""
    if not isinstance(sigma, torch.Tensor) and sigma == 0:
        return img
    sigma = torch.as_tensor(sigma, dtype=img.dtype, device=img.device).reshape(-1, 1)
    half = kernel_size // 2
    x = torch.arange(-half, half + 1, dtype=img.dtype, device=img.device)
    g = torch.exp(-(x**2) / (2 * sigma.clamp(min=1e-6) ** 2))
    g = g / g.sum(-1, keepdim=True)  # (1 or B, k)
    B, k = img.shape[0], kernel_size
    if how == "conv":
        if g.shape[0] == 1:  # one kernel: images as the batch
            out, wr, wc, groups = img[:, None], g.view(1, 1, 1, k), g.view(1, 1, k, 1), 1
        else:  # one kernel per image: images as channels of one depthwise convolution
            out, wr, wc, groups = img[None], g.view(B, 1, 1, k), g.view(B, 1, k, 1), B
        for _ in range(passes):
            out = F.conv2d(out, wc, padding=(half, 0), groups=groups)
            out = F.conv2d(out, wr, padding=(0, half), groups=groups)
        out = out[:, 0] if groups == 1 else out[0]
    elif how == "unfold":
        gb = g.expand(B, k)
        out = img
        for _ in range(passes):
            out = torch.einsum("bhwk,bk->bhw", F.pad(out, (0, 0, half, half)).unfold(-2, k, 1), gb)
            out = torch.einsum("bhwk,bk->bhw", F.pad(out, (half, half)).unfold(-1, k, 1), gb)
    else:
        raise ValueError(how)
    return out.clamp(0, 1)


def timed(fn, repeats: int) -> float:
    """Median seconds of ``fn()`` over ``repeats`` calls after one warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def table(rows: list[dict], title: str) -> None:
    print(f"\n== {title}")
    keys = list(rows[0])
    width = {k: max(len(k), *(len(f"{r[k]}") for r in rows)) for k in keys}
    print("  ".join(k.rjust(width[k]) for k in keys))
    for r in rows:
        print("  ".join(f"{r[k]}".rjust(width[k]) for k in keys))


# ---------------------------------------------------------------- the episode
def episode_and_fit(run: dict, n_way: int, tm):
    ds = OmniglotDataset.load(DATA / "processed/omniglot_small.npz")
    background, _ = holdout_split(ds.alphabet_of(), run["data"]["background"])
    alphabets = sorted(set(ds.alphabet_of()[background].tolist()))
    sz = run["gns2021"]["classify"]["sizing"]
    with tempfile.TemporaryDirectory() as tmp:
        generate_runs(ds, alphabets, 1, Path(tmp) / "validation", n_way=n_way, seed=run["seed"] + sz["seed_offset"])
        episode = load_runs(Path(tmp) / "validation")[0]
        images = np.concatenate([episode.train_images(), episode.test_images()]) > 0.5
    print(f"validation episode from background alphabet {alphabets[0]!r} (seed {run['seed'] + sz['seed_offset']}): "
          f"{episode.n_way}-way, {len(episode.labels)} trials")
    fitted, owner, parse_s, total_s = parse_and_fit(images, tm, run["gns2021"], run["seed"],
                                                   [f"levers {i}" for i in range(len(images))], label="levers parsing")
    print(f"parsed {len(images)} images in {parse_s:.0f} s, fitted {len(owner)} parses in {total_s - parse_s:.0f} s")
    return episode, images, fitted, owner


# ---------------------------------------------------------------- 1. profile
def profile_refit(fitted, owner, images, train, test, refit: RefitParams, iterations: int):
    tmod = TokenModel()
    rows, targets = [], []
    for i in train:
        for r in np.flatnonzero(owner == i).tolist():
            for j in test:
                rows.append(r)
                targets.append(images[j])
    rows, targets = rows[: refit.chunk], torch.tensor(np.stack(targets[: refit.chunk]), dtype=torch.float32)
    packed, noise, n_samples = fitted.rows(rows)
    shape, location, affine = (v.requires_grad_(True) for v in (noise.shape, noise.location, noise.affine))
    blur_x, eps_x = _render_start(fitted, rows, refit)
    opt = torch.optim.Adam([{"params": [blur_x, eps_x], "lr": refit.lr_render},
                            {"params": [shape, location, affine], "lr": refit.lr}])
    stages = ["token model", "spline eval", "ink + paint", "broaden", "blur", "likelihood", "backward", "Adam step"]
    spent = dict.fromkeys(stages, 0.0)

    def step(record: bool):
        t = [time.perf_counter()]
        opt.zero_grad(set_to_none=True)
        z = TokenNoise(shape, location, affine)
        cp = tmod.apply(packed, z)
        klp = tmod.log_prob(z, packed)
        t.append(time.perf_counter())
        traj = spline_trajectories(cp, n_samples)
        t.append(time.perf_counter())
        pts, ink, which = render.ink_points(traj)
        painted = render.paint(pts, ink, which, traj.n_drawings)
        t.append(time.perf_counter())
        canvas = render.broaden(painted)
        t.append(time.perf_counter())
        probs = render.gaussian_blur(canvas, BLUR.value(blur_x), kernel_size=refit.blur_kernel)
        t.append(time.perf_counter())
        ll = render.bernoulli_log_likelihood(render.apply_pixel_noise(probs, EPS.value(eps_x)), targets)
        t.append(time.perf_counter())
        (-(ll + klp).sum()).backward()
        t.append(time.perf_counter())
        opt.step()
        t.append(time.perf_counter())
        if record:
            for s, a, b in zip(stages, t[:-1], t[1:]):
                spent[s] += b - a
        return ll.detach()

    for _ in range(3):
        step(False)
    for _ in range(iterations):
        step(True)
    total = sum(spent.values())
    print(f"\n== 1. refit iteration profile: {len(rows)} rows (one chunk), kernel {refit.blur_kernel}, "
          f"{iterations} iterations, 1 thread: {1000 * total / iterations:.0f} ms per iteration "
          f"({1000 * total / iterations / len(rows):.2f} ms per pair-iteration)")
    print("  ".join(f"{s}: {100 * v / total:.1f}%" for s, v in spent.items()))

    # the same iterations under the torch profiler: self CPU time by op (forward and backward ops)
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(3):
            step(False)
    ev = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    tot = sum(e.self_cpu_time_total for e in ev)
    bmm = sum(e.self_cpu_time_total for e in ev if e.key in ("aten::bmm", "aten::mm", "aten::matmul"))
    print("top ops by self CPU time (3 iterations, profiler): " + ", ".join(
        f"{e.key} {100 * e.self_cpu_time_total / tot:.1f}%" for e in ev[:10]))
    print(f"aten::bmm + aten::mm (blur's matrix products fwd+bwd, the spline basis product, matrix_power): "
          f"{100 * bmm / tot:.1f}%")

    # the cost of one tuned score (a blur tuning, what recording or a convergence check costs)
    def tuned():
        with torch.no_grad():
            z = TokenNoise(shape, location, affine)
            cv = ink_canvas(tmod.apply(packed, z), n_samples)
            eps = EPS.value(eps_x)
            b = tune_blur(lambda b: canvas_log_likelihood(cv, targets, b, eps, refit.blur_kernel),
                          BLUR.value(blur_x), refit.blur_steps)
            canvas_log_likelihood(cv, targets, b, eps, refit.blur_kernel)
    t_tuned = timed(tuned, 2)
    print(f"one tuned score (blur tuning, {refit.blur_steps} blur values) of the chunk: {t_tuned:.2f} s "
          f"= {t_tuned / (total / iterations):.1f} iterations")
    with torch.no_grad():
        z = TokenNoise(shape, location, affine)
        canvas = ink_canvas(tmod.apply(packed, z), n_samples)
    return canvas.detach(), targets, EPS.value(eps_x).detach(), total / iterations / len(rows), t_tuned / len(rows)


# ---------------------------------------------------------------- 2. blur lever
def blur_lever(canvas, targets, eps):
    B = canvas.shape[0]
    gen = torch.Generator().manual_seed(0)
    # sigmas over the refit's range: the start (~14.2), the middle, the sharp end
    sigma = torch.cat([torch.full((B // 4,), 14.15), torch.rand(B // 4, generator=gen) * 15.5 + 0.5,
                       torch.rand(B // 4, generator=gen) * 2 + 0.5, torch.full((B - 3 * (B // 4),), 0.5)])
    rows = []
    for k in (21, 11):
        ref = render.gaussian_blur(canvas, sigma, kernel_size=k)
        ll_ref = render.bernoulli_log_likelihood(render.apply_pixel_noise(ref, eps), targets)
        exact = render.bernoulli_log_likelihood(render.apply_pixel_noise(  # float64: the float32 error of each
            render.gaussian_blur(canvas.double(), sigma.double(), kernel_size=k), eps.double()), targets.double())
        for how in ("conv", "unfold"):
            new = gaussian_blur_separable(canvas, sigma, kernel_size=k, how=how)
            ll_new = render.bernoulli_log_likelihood(render.apply_pixel_noise(new, eps), targets)

            def grads(fn):
                c = canvas.clone().requires_grad_(True)
                s = sigma.clone().requires_grad_(True)
                ll = render.bernoulli_log_likelihood(render.apply_pixel_noise(fn(c, s), eps), targets)
                ll.sum().backward()
                return c.grad, s.grad
            gc0, gs0 = grads(lambda c, s: render.gaussian_blur(c, s, kernel_size=k))
            gc1, gs1 = grads(lambda c, s: gaussian_blur_separable(c, s, kernel_size=k, how=how))

            def fb(fn):
                def run():
                    c = canvas.clone().requires_grad_(True)
                    s = sigma.clone().requires_grad_(True)
                    (fn(c, s) * targets).sum().backward()
                return run
            t0 = timed(fb(lambda c, s: render.gaussian_blur(c, s, kernel_size=k)), 5)
            t1 = timed(fb(lambda c, s: gaussian_blur_separable(c, s, kernel_size=k, how=how)), 5)
            with torch.no_grad():
                f0 = timed(lambda: render.gaussian_blur(canvas, sigma, kernel_size=k), 5)
                f1 = timed(lambda: gaussian_blur_separable(canvas, sigma, kernel_size=k, how=how), 5)
            rows.append({"kernel": k, "separable": how, "rows": B,
                         "matmul fwd+bwd ms": f"{1000 * t0:.1f}", "separable fwd+bwd ms": f"{1000 * t1:.1f}",
                         "ratio": f"{t0 / t1:.2f}x", "fwd ratio": f"{f0 / f1:.2f}x",
                         "max|img diff|": f"{float((new - ref).abs().max()):.2e}",
                         "equal px %": f"{100 * float((new == ref).float().mean()):.1f}",
                         "max|LL diff| nats": f"{float((ll_new - ll_ref).abs().max()):.2e}",
                         "max|LL - f64| matmul/sep": f"{float((ll_ref - exact).abs().max()):.1e}/"
                                                     f"{float((ll_new - exact).abs().max()):.1e}",
                         "|LL| median": f"{float(ll_ref.abs().median()):.0f}",
                         "max|dLL/dsigma| rel": f"{float(((gs1 - gs0).abs() / gs0.abs().clamp(min=1e-3)).max()):.1e}",
                         "max|dLL/dcanvas| diff/max": f"{float((gc1 - gc0).abs().max() / gc0.abs().max()):.1e}"})
    table(rows, f"2. blur lever: render.gaussian_blur (banded matmul, passes fused by matrix_power) vs separable "
                f"1-D passes; {B} real refit canvases, per-row sigma in [0.5, 16], float32, 1 thread")


# ---------------------------------------------------------------- 3. and 4.
def decisions(ps, n_train, fwd, rev):
    return predictions(episode_scores(ps[:n_train], ps[n_train:], fwd, rev)["two_way"])


def stop_and_prune(ps, n_train, labels, fwd_d, rev_d, levels, k_used):
    """``fwd_d``/``rev_d``: iteration -> (C, T, K)/(T, C, K) tuned scores; ``k_used``: parses per pair grid
    (1 where a parse exists) to count pairs."""
    labels = np.asarray(labels)
    top = levels[-1]
    exists_f, exists_r = k_used
    n_pairs = int(exists_f.sum() + exists_r.sum())
    dec = {it: decisions(ps, n_train, fwd_d[it], rev_d[it]) for it in levels}
    print(f"\n== 3. converged-pair stop: {n_pairs} pairs (both directions), tuned scores every 10 iterations to {top}")
    print("two-way decisions vs labels: " + ", ".join(
        f"{it}: {int((dec[it] == labels).sum())}/{len(labels)}" for it in levels if it in (10, 20, 40, 60, 100, 150, 200)))
    print("decisions differing from the 200-iteration ones: " + ", ".join(
        f"{it}: {int((dec[it] != dec[top]).sum())}" for it in levels if it in (10, 20, 40, 60, 100, 150)))
    F = torch.stack([fwd_d[it] for it in levels])  # (L, C, T, K)
    R = torch.stack([rev_d[it] for it in levels])
    gains = []
    for G, ex in ((F, exists_f), (R, exists_r)):
        g = (G[-1] - G[levels.index(100)])[ex]
        gains.append(g)
    g = torch.cat(gains)
    print(f"score gain from 100 to 200 iterations per pair (nats): median {float(g.median()):.1f}, "
          f"90% {float(g.quantile(0.9)):.1f}, max {float(g.max()):.1f}, min {float(g.min()):.1f}")

    rows = []
    step = levels[1] - levels[0]
    for w in (10, 20, 40):
        for tol in (0.5, 1.0, 2.0, 5.0, 10.0):
            lag = w // step

            def stopped(G):
                s = torch.full(G.shape[1:], len(levels) - 1, dtype=torch.long)  # index of the stop level
                done = torch.zeros(G.shape[1:], dtype=torch.bool)
                for i in range(lag, len(levels)):
                    hit = ~done & ((G[i] - G[i - lag]) < tol)
                    s[hit] = i
                    done |= hit
                return G.gather(0, s[None])[0], (torch.as_tensor(levels)[s]).double()
            f_s, f_it = stopped(F)
            r_s, r_it = stopped(R)
            used = float(f_it[exists_f].sum() + r_it[exists_r].sum())
            d = decisions(ps, n_train, f_s, r_s)
            rows.append({"w": w, "tol nats": tol, "pair-iterations saved": f"{100 * (1 - used / (n_pairs * top)):.1f}%",
                         "work vs all at 100 it": f"{100 * used / (n_pairs * 100):.0f}%",
                         "differ from 200-it": int((d != dec[top]).sum()), "differ from 100-it": int((d != dec[100]).sum()),
                         "correct": f"{int((d == labels).sum())}/{len(labels)}"})
    table(rows, "3. stop a pair when its tuned score gained < tol nats over the last w iterations (checked every 10)")

    # 4. pruning
    rows = []
    for n in (10, 20, 40, 60):
        i = levels.index(n)
        gf, gr = (F[-1] - F[i])[exists_f], (R[-1] - R[i])[exists_r]
        two = episode_scores(ps[:n_train], ps[n_train:], F[i], R[i])["two_way"]  # (T, C)
        for bound in ("max", "q95"):
            if bound == "max":
                up, lo = float(gf.max() + gr.max()), float(gf.min() + gr.min())
            else:
                up, lo = float(gf.quantile(0.95) + gr.quantile(0.95)), float(gf.quantile(0.05) + gr.quantile(0.05))
            # class c can still win trial t if its best case beats the leader's worst case
            alive = (two + up) >= (two + lo).max(-1, keepdim=True).values
            T, C = alive.shape
            dropped = 0
            for t in range(T):
                for c in range(C):
                    if not alive[t, c]:
                        dropped += int(exists_f[c, t].sum() + exists_r[t, c].sum())
            kept200 = all(bool(alive[t, dec[top][t]]) for t in range(T))
            kept_label = all(bool(alive[t, labels[t]]) for t in range(T))
            remaining = (n_pairs * n + (n_pairs - dropped) * (top - n)) / (n_pairs * top)
            rows.append({"after n": n, "gain bound": bound, "bound up/down nats": f"{up:.0f}/{lo:.0f}",
                         "classes alive per trial": f"{float(alive.sum(-1).double().mean()):.1f}/{C}",
                         "pairs dropped": f"{dropped}/{n_pairs}",
                         "work left vs all to 200": f"{100 * remaining:.0f}%",
                         "200-it winner always kept": kept200, "true class always kept": kept_label})
    table(rows, "4. pruning after n iterations: class alive if two-way(n) + largest remaining gain (fwd + rev) >= the "
                "leader's two-way(n) + its smallest (\"max\": largest/smallest over all pairs, in hindsight; "
                "\"q95\": 95%/5% quantiles)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--way", type=int, default=10, help="classes of the validation episode (the test set's: 20)")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--profile-iterations", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(1)
    start = time.time()
    run = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": "quick"})
    reproducible(run["seed"])
    cp = run["gns2021"]["classify"]
    tm = load_type_model(DATA / "models/feinman2020/quick/full_ns_holdout.pt", device="cpu")
    episode, images, fitted, owner = episode_and_fit(run, args.way, tm)
    n_train = episode.n_way
    train, test = list(range(n_train)), list(range(n_train, len(images)))
    refit = RefitParams(**{**cp["refit"], "iterations": args.iterations})
    print(f"refit settings: {refit}, K = {cp['k']}, {cp['fit_iterations']} fit iterations")

    canvas, targets, eps, per_pair_iter, per_pair_tuned = profile_refit(fitted, owner, images, train, test, refit,
                                                                args.profile_iterations)
    blur_lever(canvas, targets, eps)

    levels = list(range(10, args.iterations + 1, 10))
    ps = parse_score_table(fitted, owner, cp["k"])
    fwd = refit_grid(fitted, owner, images, train, test, cp["k"], refit, levels)
    rev = refit_grid(fitted, owner, images, test, train, cp["k"], refit, levels)
    pairs, secs = fwd["pairs"] + rev["pairs"], fwd["seconds"] + rev["seconds"]
    print(f"\nrefits: {pairs} pairs x {args.iterations} iterations with {len(levels) - 1} recorded tuned scores in "
          f"{secs:.0f} s ({1000 * secs / pairs / args.iterations:.2f} ms per pair-iteration, recording included)")
    fwd_d = {it: (fwd["scores"] if it == levels[-1] else fwd["recorded"][it]) for it in levels}
    rev_d = {it: (rev["scores"] if it == levels[-1] else rev["recorded"][it]) for it in levels}
    exists = torch.isfinite(ps)  # (images, K): parse k of image i exists
    exists_f = exists[:n_train][:, None, :].expand(n_train, len(test), cp["k"])
    exists_r = exists[n_train:][:, None, :].expand(len(test), n_train, cp["k"])
    stop_and_prune(ps, n_train, episode.labels, fwd_d, rev_d, levels, (exists_f, exists_r))

    # cost model of a 20-way quick episode from this run's per-pair costs
    print(f"\n== cost model (this run, 1 thread): {1000 * per_pair_iter:.2f} ms per pair-iteration, "
          f"{1000 * per_pair_tuned:.1f} ms per pair tuned score")
    pairs20 = 2 * 40 * 20  # K = 2 parses of 40 images, each refitted to the 20 images of the other side
    for its in (100, 200, 1500):
        m = pairs20 * (its * per_pair_iter + per_pair_tuned) / 60
        print(f"  20-way episode, {pairs20} pairs, {its} iterations: {m:.1f} min per episode, "
              f"{20 * m:.0f} CPU-min for 20 episodes ({10 * m:.0f} min on 2 cores)")
    print(f"\ntotal {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
