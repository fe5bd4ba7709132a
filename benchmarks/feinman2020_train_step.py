"""Training steps per second of the three Feinman & Lake (2020) models, before and after the speed
work, measured in one run on this machine (`python benchmarks/feinman2020_train_step.py`).

"before": ``torch.nn.Dropout`` (``bernoulli_``) and the blank canvas's feature map computed for
every first stroke, with last round's quick configuration; "after": the faster dropout
(:class:`charchallenge.layers.Dropout`), one feature map per batch for the blank canvas, and
this round's quick configuration (params.yaml). Same batches (200 drawings) for every variant,
one torch thread (quick-scale jobs run two side by side on a 2-core CPU) and, for the fastest
variant, two threads.

Needs the smoke- or quick-scale data products (`snakemake --config scale=smoke` builds them).
"""

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charchallenge.config import load  # noqa: E402
from charchallenge.feinman2020.data import load_corpus  # noqa: E402
from charchallenge.feinman2020.encoding import make_batch  # noqa: E402
from charchallenge.feinman2020.train import build_model  # noqa: E402
from charchallenge.layers import Dropout  # noqa: E402

OLD_QUICK_FULL_NS = {  # last round's quick configuration 0 (commit 8c8a872)
    "location": {"channels": [8, 16, 16, 32], "dense": 64, "activation": "tanh", "dropout": 0.3},
    "stroke": {"hidden": 64, "layers": 1, "dropout": 0.0, "attention": 64, "cnn": [8, 16, 32]},
    "termination": {"channels": 16, "dense": 32, "dropout": 0.5},
}


def torch_dropout(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every fast Dropout swapped for torch.nn.Dropout (same p)."""
    model = copy.deepcopy(model)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, Dropout):
                setattr(parent, name, nn.Dropout(child.p))
    return model


def steps_per_second(model, corpus, batches, threads: int, share_blank: bool = True) -> float:
    torch.set_num_threads(threads)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    if hasattr(model, "share_blank_canvas"):
        model.share_blank_canvas = share_blank
    cans = corpus.canvases if model.needs_canvases else None

    def step(pick):
        batch = make_batch(corpus.enc, pick, cans)
        opt.zero_grad(set_to_none=True)
        loss = -model.log_prob(batch).mean()
        loss.backward()
        opt.step()

    step(batches[0])  # warm-up
    start = time.perf_counter()
    for pick in batches[1:]:
        step(pick)
    return (len(batches) - 1) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", default="quick", help="whose data products and grid to use (default quick)")
    ap.add_argument("--steps", type=int, default=10, help="timed steps per variant (default 10)")
    args = ap.parse_args()
    params = load(ROOT / "params.yaml", overrides={"scale": args.scale})
    bg = params["data"]["background"]
    processed = ROOT / "data" / "processed"
    corpus = load_corpus(processed / f"splines_{bg}.npz", processed / f"omniglot_{bg}.npz",
                         processed / f"feinman2020_canvases_{bg}.npy")
    g = torch.Generator().manual_seed(0)
    batches = [torch.randint(len(corpus.enc), (200,), generator=g) for _ in range(args.steps + 1)]
    grid = params["feinman2020"]["grid"]
    print(f"{args.scale} data: {len(corpus.enc)} drawings; {args.steps} steps of 200 drawings per variant")
    rows = []
    for name in ("full_ns", "hierarchical_lstm", "baseline_lstm"):
        new = build_model(name, grid[name][0], 0)
        variants = [("after, 1 thread", new, 1, True), ("after, 2 threads", new, 2, True)]
        before = [("before, 1 thread", torch_dropout(new), 1, False)]
        if name == "full_ns":
            before.insert(0, ("before (old quick config), 1 thread",
                              torch_dropout(build_model(name, OLD_QUICK_FULL_NS, 0)), 1, False))
        for label, model, threads, share in before + variants:
            sps = steps_per_second(copy.deepcopy(model), corpus, batches, threads, share)
            rows.append((name, label, sps))
            print(f"{name:18s} {label:38s} {sps:6.2f} steps/s", flush=True)
    print("\nratios (after / before, same run):")
    for name in ("full_ns", "hierarchical_lstm", "baseline_lstm"):
        r = {label: sps for n, label, sps in rows if n == name}
        base = r["before, 1 thread"]
        print(f"{name:18s} 1 thread {r['after, 1 thread'] / base:5.2f}x   2 threads {r['after, 2 threads'] / base:5.2f}x"
              + (f"   vs old quick config {r['after, 1 thread'] / r['before (old quick config), 1 thread']:5.2f}x"
                 if name == "full_ns" else ""))


if __name__ == "__main__":
    main()
