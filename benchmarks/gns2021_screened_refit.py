"""GNS one-shot classification refits (issue 26): the time to classify one validation episode with
every pair refitted fully (today's path) against the screened path - every pair refitted for a few
iterations, then only each test item's best classes fully (``gns2021.classify.screen``;
:func:`charchallenge.gns2021.classify.screened_classes`) - measured in one run, one thread, on
ONE validation episode from the background alphabets (never a test episode).

Prints both times, their ratio, and whether the decisions agree (a kept pair's refit is the same
optimisation either way, so they differ only where the screen dropped the unscreened winner).
The pooled check over the validation episodes is ``results/oneshot/<scale>/gns_refit_screening.*``.

    python benchmarks/gns2021_screened_refit.py [--way 20] [--iterations 300] [--screen-at 20 --keep 3]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from charchallenge.config import resolve  # noqa: E402
from charchallenge.gns2021.classify import (RefitParams, episode_scores, parse_score_table, predictions,  # noqa: E402
                                            refit_grid, screened_classes)
from charchallenge.gns2021.runtime import reproducible  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from gns2021_refit_levers import DATA, episode_and_fit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--way", type=int, default=10, help="classes of the validation episode (the test set's: 20)")
    ap.add_argument("--iterations", type=int, default=None, help="full refit count (default: params' quick)")
    ap.add_argument("--screen-at", type=int, default=20)
    ap.add_argument("--keep", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    run = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": "quick"})
    reproducible(run["seed"])
    cp = run["gns2021"]["classify"]
    iterations = args.iterations or cp["refit"]["iterations"]
    tm = load_type_model(DATA / "models/feinman2020/quick/full_ns_holdout.pt", device="cpu")
    episode, images, fitted, owner = episode_and_fit(run, args.way, tm)
    n = episode.n_way
    train, test = list(range(n)), list(range(n, len(images)))
    ps = parse_score_table(fitted, owner, cp["k"])
    full = RefitParams(**{**cp["refit"], "iterations": iterations})

    def decide(fwd, rev):
        return predictions(episode_scores(ps[:n], ps[n:], fwd["scores"], rev["scores"])["two_way"])

    start = time.perf_counter()
    fwd, rev = (refit_grid(fitted, owner, images, a, b, cp["k"], full) for a, b in ((train, test), (test, train)))
    unscreened_s = time.perf_counter() - start
    unscreened = decide(fwd, rev)

    start = time.perf_counter()
    short = RefitParams(**{**cp["refit"], "iterations": args.screen_at})
    sf, sr = (refit_grid(fitted, owner, images, a, b, cp["k"], short) for a, b in ((train, test), (test, train)))
    kept = screened_classes(ps, n, sf["scores"], sr["scores"], args.keep)
    screen_s = time.perf_counter() - start
    ff = refit_grid(fitted, owner, images, train, test, cp["k"], full, mask=kept.T)
    fr = refit_grid(fitted, owner, images, test, train, cp["k"], full, mask=kept)
    screened_s = time.perf_counter() - start
    screened = decide(ff, fr)

    labels = np.asarray(episode.labels)
    print(f"\n{n}-way validation episode, K = {cp['k']}, refit lr_render {full.lr_render}, {iterations} iterations, "
          f"1 thread")
    print(f"  every pair fully:  {fwd['pairs'] + rev['pairs']} pairs x {iterations}: {unscreened_s:7.1f} s, "
          f"error {100 * (unscreened != labels).mean():.1f}%")
    print(f"  screened:          {sf['pairs'] + sr['pairs']} pairs x {args.screen_at} ({screen_s:.1f} s), then "
          f"{ff['pairs'] + fr['pairs']} pairs x {iterations}: {screened_s:7.1f} s, error "
          f"{100 * (screened != labels).mean():.1f}%")
    print(f"  ratio (every pair / screened): {unscreened_s / screened_s:.2f}x; decisions changed: "
          f"{int((screened != unscreened).sum())} of {len(labels)}; unscreened winner kept on "
          f"{int(kept[np.arange(len(labels)), unscreened].sum())} of {len(labels)} trials")


if __name__ == "__main__":
    main()
