"""GNS parse and fit of held-out images at a scale's settings (parsing walks, K, fit iterations):
seconds per image and images per minute for parse plus optimisation, and the batched fit of all
parses against fitting the same parses one at a time, measured in one run
(`python benchmarks/gns2021_batched_fit.py`). Needs the data and the feinman2020 holdout Full NS
of the scale (`snakemake --config scale=quick -- data/models/feinman2020/quick/full_ns_holdout.pt`).
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

from charchallenge.config import resolve  # noqa: E402
from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.feinman2020.splits import holdout_split  # noqa: E402
from charchallenge.gns2021.fit import FitParams, fit_parses  # noqa: E402
from charchallenge.gns2021.parses import parse_images  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from charchallenge.provenance import device_description  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="quick")
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--no-loop", action="store_true", help="skip the one-parse-at-a-time fit")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads for both fits (the pipeline: 1)")
    ap.add_argument("--device", default="cpu", help="cpu | cuda | auto (params gns2021.device): where the fits run")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    params = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": args.scale})
    g = params["gns2021"]
    ds = OmniglotDataset.load(ROOT / f"data/processed/omniglot_{params['data']['background']}.npz")
    _, held = holdout_split(ds.alphabet_of(), params["data"]["background"])
    tm = load_type_model(ROOT / f"data/models/feinman2020/{args.scale}/full_ns_holdout.pt", device=args.device)
    chosen = np.random.RandomState(0).choice(held, args.images, replace=False)
    images = np.stack([ds.image(int(i)) for i in chosen])
    fit = FitParams(**g["fit"])
    print(f"{args.images} held-out images, {args.scale} scale: K = {g['parsing']['k']}, "
          f"{g['parsing']['walks']['max_unique_walks']} walks, {fit.iterations} fit iterations, "
          f"{args.threads} thread(s), "
          f"on {device_description(str(tm.device))}")
    start = time.perf_counter()
    parses, owner = parse_images(images, tm, g["parsing"], params["seed"], [str(i) for i in chosen])
    t_parse = time.perf_counter() - start
    targets = torch.tensor(images[owner], dtype=torch.float32)
    start = time.perf_counter()
    batched = fit_parses(parses, targets, tm, params=fit)
    t_batch = time.perf_counter() - start
    per_image = (t_parse + t_batch) / args.images
    print(f"parse {t_parse:.1f} s + fit {t_batch:.1f} s ({len(parses)} parses in one batch): "
          f"{per_image:.1f} s per image, {60 / per_image:.1f} images per minute")
    if args.no_loop:
        return
    start = time.perf_counter()
    looped = [fit_parses([p], targets[j : j + 1], tm, params=fit) for j, p in enumerate(parses)]
    t_loop = time.perf_counter() - start
    diff = max(abs(float(b) - float(l.score[0])) for b, l in zip(batched.score, looped))
    print(f"fit in one batch: {t_batch:.1f} s   one parse at a time: {t_loop:.1f} s   ratio {t_loop / t_batch:.1f}x")
    print(f"largest score difference batch vs loop: {diff:.3g} nats (float32 sums in another order)")


if __name__ == "__main__":
    main()
