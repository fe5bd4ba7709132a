"""Snakemake script: render every partial canvas of every drawing once (Full NS training cache)."""

import time

import torch

from charchallenge.feinman2020.canvases import build_canvas_cache
from charchallenge.feinman2020.encoding import spline_drawings
from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
torch.set_num_threads(smk.threads)
start = time.time()
drawings = spline_drawings(SplineSet.load(smk.input.splines))
build_canvas_cache(drawings, smk.output[0])
print(f"rendered {sum(len(d) + 1 for d in drawings)} canvases of {len(drawings)} drawings in {time.time() - start:.1f} s")
