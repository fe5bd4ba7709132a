"""GNS one-shot classification refits: all (parse, test image) pairs of an episode-sized problem in
one batch vs one pair at a time, measured in one run (`python benchmarks/gns2021_batched_refit.py`).
Needs the data and a feinman2020 holdout Full NS of the chosen scale (it only parses and fits the
training images; the refit itself does not use the type model)."""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import resolve  # noqa: E402
from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.feinman2020.splits import holdout_split  # noqa: E402
from charchallenge.gns2021.classify import RefitParams, refit_tokens  # noqa: E402
from charchallenge.gns2021.fit import FitParams, fit_parses  # noqa: E402
from charchallenge.gns2021.parses import top_parses  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from charchallenge.gns2021.walks import WalkParams  # noqa: E402
from charchallenge.provenance import device_description  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="quick")
    ap.add_argument("--train", type=int, default=20, help="training images (conditioning side; an episode: 20)")
    ap.add_argument("--test", type=int, default=20, help="test images each parse is refitted to (an episode: 20)")
    ap.add_argument("--iterations", type=int, default=15)
    ap.add_argument("--chunk", type=int, default=None, help="rows per batch (default: the scale's params)")
    ap.add_argument("--device", default="cpu", help="cpu | cuda | auto (params gns2021.device): where the refits run")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ds = OmniglotDataset.load(ROOT / "data/processed/omniglot_small.npz")
    _, held = holdout_split(ds.alphabet_of(), "small")
    tm = load_type_model(ROOT / f"data/models/feinman2020/{args.scale}/full_ns_holdout.pt", device=args.device)
    chosen = np.random.RandomState(0).choice(held, args.train + args.test, replace=False)
    parses, images = [], []
    for i in chosen[: args.train]:
        img = ds.image(int(i))
        for p in top_parses(img, tm, 2, WalkParams(max_trials=30, min_unique_strokes=30, max_unique_walks=30), 48):
            parses.append(p.strokes)
            images.append(img)
    fitted = fit_parses(parses, torch.tensor(np.stack(images), dtype=torch.float32), tm, params=FitParams(iterations=10))
    tests = [ds.image(int(i)) for i in chosen[args.train:]]
    rows = [r for r in range(len(parses)) for _ in tests]
    targets = torch.tensor(np.stack([t for _ in range(len(parses)) for t in tests]), dtype=torch.float32)
    chunk = args.chunk or resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": args.scale}
                                  )["gns2021"]["classify"]["refit"]["chunk"]
    params = RefitParams(iterations=args.iterations, chunk=chunk)
    print(f"{len(rows)} refits ({len(parses)} parses x {len(tests)} test images), {args.iterations} iterations, "
          f"batches of {chunk} rows, 1 thread, on {device_description(str(tm.device))}")
    start = time.perf_counter()
    batched = refit_tokens(fitted, rows, targets, params)
    t_batch = time.perf_counter() - start
    start = time.perf_counter()
    looped = torch.cat([refit_tokens(fitted, [r], targets[j : j + 1], params) for j, r in enumerate(rows)])
    t_loop = time.perf_counter() - start
    print(f"one batch: {t_batch:.1f} s   one pair at a time: {t_loop:.1f} s   ratio {t_loop / t_batch:.1f}x")
    print(f"largest score difference batch vs loop: {float((batched - looped).abs().max()):.3g} nats")


if __name__ == "__main__":
    main()
