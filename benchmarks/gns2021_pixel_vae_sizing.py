"""Sizing the pixel VAE of Table 3's comparison (issue 28) on validation drawings only: each setting
trained on the background drawings at 28x28 and early-stopped as the pipeline does
(:func:`charchallenge.gns2021.pixel_comparison.train_pixel_vae`), its best validation bound
printed (nats per image, ``val_samples`` samples). Held-out images are never looked at.

    python benchmarks/gns2021_pixel_vae_sizing.py [--hidden 100 200 400] [--latent 10 20 50]
"""

import argparse
import sys
import time
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import resolve  # noqa: E402
from charchallenge.data.dataset import OmniglotDataset  # noqa: E402
from charchallenge.gns2021.pixel_comparison import background_split, train_pixel_vae  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[100, 200, 400])
    ap.add_argument("--latent", type=int, nargs="+", default=[10, 20, 50])
    ap.add_argument("--scale", default="quick")
    args = ap.parse_args()
    torch.set_num_threads(1)
    run = resolve({**yaml.safe_load(open(ROOT / "params.yaml")), "scale": args.scale})
    pm = run["gns2021"]["pixel_model"]
    dataset = OmniglotDataset.load(ROOT / "data/processed" / f"omniglot_{run['data']['background']}.npz")
    train_x, val_x = background_split(dataset, run["data"]["background"], pm["size"], pm["validation_fraction"],
                                      run["seed"])
    print(f"{len(train_x)} training, {len(val_x)} validation drawings at {pm['size']}x{pm['size']}")
    print("hidden  latent  best_val_bound  best_step  stopped  seconds")
    for hidden in args.hidden:
        for latent in args.latent:
            start = time.time()
            _, result = train_pixel_vae(train_x, val_x, {**pm, "hidden": hidden, "latent": latent}, run["seed"])
            best = min(result.history, key=lambda h: h["val_loss"])
            print(f"{hidden:6d}  {latent:6d}  {-best['val_loss']:14.2f}  {best['step']:9d}  {result.stopped:7s}  "
                  f"{time.time() - start:7.0f}", flush=True)


if __name__ == "__main__":
    main()
