"""Snakemake script: unpack one verified archive atomically."""

from pathlib import Path

from charchallenge.data.formats import FormatError, unpack_archive
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
try:
    unpack_archive(Path(smk.input[0]), Path(smk.output[0]))
except FormatError as err:
    raise SystemExit(f"error: {err}")
