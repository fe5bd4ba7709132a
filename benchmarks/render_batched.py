"""Batched rendering against one drawing at a time, measured in one run.

    python benchmarks/render_batched.py [dataset.npz] [n_drawings]

Renders the first n drawings of the dataset artifact (real Omniglot strokes) at 105x105 and
at 28x28, once as one batch and once in a Python loop over drawings, and prints both times
(best of 3) and their ratio.
"""

import sys
from pathlib import Path

import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.render import render
from timing import best_of

path = Path(sys.argv[1] if len(sys.argv) > 1 else "data/processed/omniglot_small.npz")
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
if not path.is_file():
    raise SystemExit(f"{path}: not found; build it with `snakemake --workflow-profile workflow/profiles/default {path}`")
dataset = OmniglotDataset.load(path)
drawings = [[s[:, :2] for s in dataset.strokes(i)] for i in range(min(n, len(dataset)))]




render(drawings[:10])  # warm-up (allocator, kernels)
print(f"{len(drawings)} drawings, torch {torch.__version__}, {torch.get_num_threads()} threads")
for size in (105, 28):
    batched = best_of(lambda: render(drawings, size=size))
    looped = best_of(lambda: [render([d], size=size) for d in drawings])
    print(f"size {size:3d}: batched {batched * 1000:7.0f} ms   loop {looped * 1000:7.0f} ms   ratio {looped / batched:5.1f}x")
