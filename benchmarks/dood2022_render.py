"""Curves per second of DooD's Bezier renderer (charchallenge.dood2022.bezier.render_curves):
one batched call on N curves against N calls of one curve each, in one run.

    python benchmarks/dood2022_render.py [N] [size] [threads]

Prints both rates and their ratio (forward only, and forward plus backward, as in training).
"""

import sys

import torch

from charchallenge.dood2022.bezier import render_curves
from timing import best_of

n = int(sys.argv[1]) if len(sys.argv) > 1 else 512
size = int(sys.argv[2]) if len(sys.argv) > 2 else 28
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
control = torch.rand(n, 4, 2, generator=torch.Generator().manual_seed(0)) * 1.6 - 0.8


def batched(backward: bool):
    cp = control.clone().requires_grad_(backward)
    ink = render_curves(cp, size, 0.04, 40.0, 16)
    if backward:
        ink.sum().backward()


def one_at_a_time(backward: bool):
    for i in range(n):
        cp = control[i : i + 1].clone().requires_grad_(backward)
        ink = render_curves(cp, size, 0.04, 40.0, 16)
        if backward:
            ink.sum().backward()


for backward in (False, True):
    tb = best_of(lambda: batched(backward), repeat=5)
    tl = best_of(lambda: one_at_a_time(backward), repeat=3)
    what = "forward + backward" if backward else "forward"
    print(f"{what:>18}: batched {n / tb:,.0f} curves/s, one at a time {n / tl:,.0f} curves/s, "
          f"ratio {tl / tb:.1f}x ({n} cubic curves, {size} px, {torch.get_num_threads()} thread)")
