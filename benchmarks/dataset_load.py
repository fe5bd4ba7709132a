"""Time loading the saved dataset artifact (the pipeline's data/processed/omniglot_<set>.npz).

    python benchmarks/dataset_load.py [path]

Prints the best of 5 wall-clock times for (a) np.load of every array and (b) the same plus
materialising every drawing's strokes as Python objects, which is what later steps do.
"""

import sys
from pathlib import Path

from charchallenge.data.dataset import OmniglotDataset
from timing import best_of

path = Path(sys.argv[1] if len(sys.argv) > 1 else "data/processed/omniglot_small.npz")
if not path.is_file():
    raise SystemExit(f"{path}: not found; build it with `snakemake --workflow-profile workflow/profiles/default {path}`")




load = best_of(lambda: OmniglotDataset.load(path), repeat=5)


def load_with_strokes():
    dataset = OmniglotDataset.load(path)
    return [dataset.strokes(i) for i in range(len(dataset))]


load_all = best_of(load_with_strokes, repeat=5)
dataset = OmniglotDataset.load(path)
print(f"{path}: {len(dataset)} drawings, {path.stat().st_size / 1e6:.1f} MB")
print(f"load arrays:                  {load * 1000:.0f} ms (best of 5)")
print(f"load + every drawing's strokes: {load_all * 1000:.0f} ms (best of 5)")
