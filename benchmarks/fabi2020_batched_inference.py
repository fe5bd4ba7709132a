"""Benchmark: batched one-shot inference (all novel letters x conditions x seeds in one problem)
against a Python loop over letters (each letter its own optimisation), same iterations.

    python benchmarks/fabi2020_batched_inference.py [--seeds 3] [--iterations 20] [--threads 1]

Uses untrained models of the quick configuration and the real shown examples (needs the
trajectory artifact); prints both times and their ratio, measured in this one run.
"""

import argparse
import time

import torch

from charchallenge import config
from charchallenge.fabi2020.data import load_study
from charchallenge.fabi2020.one_shot import one_shot_inference
from charchallenge.fabi2020.pipeline import setup_torch
from charchallenge.fabi2020.train import build_generator

parser = argparse.ArgumentParser()
parser.add_argument("--seeds", type=int, default=3)  # 3 seeds: 9.5x on the 2-core CPU
parser.add_argument("--iterations", type=int, default=20)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--trajectories", default="data/processed/trajectories_small.npz")
args = parser.parse_args()
setup_torch(args.threads)
params = config.load(overrides={"scale": "quick"})["fabi2020"]
study = load_study(args.trajectories, params)
trained = [build_generator(study, params["model"], s) for s in range(args.seeds)]
untrained = [build_generator(study, params["model"], 100 + s) for s in range(args.seeds)]
targets = study.shown()
times = {}
for batched in (True, False):
    start = time.perf_counter()
    one_shot_inference(trained, untrained, targets, study.novel, args.iterations, 0.01, batched=batched,
                       log_every=args.iterations)
    times[batched] = time.perf_counter() - start
n = args.seeds * 3 * len(targets)
print(f"{n} one-shot problems ({args.seeds} seeds x 3 conditions x {len(targets)} letters), {args.iterations} iterations, "
      f"{args.threads} thread(s)")
print(f"batched: {times[True]:.2f} s   loop over letters: {times[False]:.2f} s   ratio: {times[False] / times[True]:.1f}x")
