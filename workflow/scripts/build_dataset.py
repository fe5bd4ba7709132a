"""Snakemake script: parse a background set's strokes and images into the dataset artifact."""

from pathlib import Path

from charchallenge.data.dataset import build_dataset
from charchallenge.data.strokes import StrokeFileError
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
try:
    dataset = build_dataset(
        [Path(p) for p in smk.input.strokes], [Path(p) for p in smk.input.images], progress=True
    )
except (StrokeFileError, FileNotFoundError, ValueError) as err:
    raise SystemExit(f"error: {err}")
dataset.save(Path(smk.output[0]))
print(f"{smk.output[0]}: {len(dataset)} drawings, {len(dataset.alphabets)} alphabets; parse counts {dataset.stats}")
