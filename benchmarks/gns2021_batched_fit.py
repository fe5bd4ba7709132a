"""GNS parse fitting: all parses of several images in one batch vs one parse at a time, measured in
one run (`python benchmarks/gns2021_batched_fit.py`). Needs the quick- (or smoke-) scale data and
the feinman2020 holdout Full NS (`snakemake --config scale=quick -- data/models/feinman2020/quick/full_ns_holdout.pt`).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.feinman2020.splits import holdout_split  # noqa: E402
from charchallenge.gns2021.fit import FitParams, fit_parses  # noqa: E402
from charchallenge.gns2021.parses import top_parses  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from charchallenge.gns2021.walks import WalkParams  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="quick")
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ds = OmniglotDataset.load(ROOT / "data/processed/omniglot_small.npz")
    _, held = holdout_split(ds.alphabet_of(), "small")
    tm = load_type_model(ROOT / f"data/models/feinman2020/{args.scale}/full_ns_holdout.pt")
    chosen = np.random.RandomState(0).choice(held, args.images, replace=False)
    parses, images = [], []
    for i in chosen:
        img = ds.image(int(i))
        for p in top_parses(img, tm, 5, WalkParams(max_trials=30, min_unique_strokes=30, max_unique_walks=30), 48):
            parses.append(p.strokes)
            images.append(img)
    images = torch.tensor(np.stack(images), dtype=torch.float32)
    params = FitParams(iterations=args.iterations)
    print(f"{len(parses)} parses of {args.images} images, {args.iterations} iterations, 1 thread")
    start = time.perf_counter()
    batched = fit_parses(parses, images, tm, params=params)
    t_batch = time.perf_counter() - start
    start = time.perf_counter()
    looped = [fit_parses([p], images[j : j + 1], tm, params=params) for j, p in enumerate(parses)]
    t_loop = time.perf_counter() - start
    diff = max(abs(float(b) - float(l.score[0])) for b, l in zip(batched.score, looped))
    print(f"one batch: {t_batch:.1f} s   one parse at a time: {t_loop:.1f} s   ratio {t_loop / t_batch:.1f}x")
    print(f"largest score difference batch vs loop: {diff:.3g} nats (float32 sums in another order)")


if __name__ == "__main__":
    main()
