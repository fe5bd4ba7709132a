"""Snakemake script: fetch one Omniglot archive (mirror or canonical address), MD5-verified
(:func:`charchallenge.data.remote.fetch`)."""

from pathlib import Path

from charchallenge.data.remote import FetchError, fetch, omniglot_archive, resolve_mirror
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821 (provided by Snakemake)
log_to_file(smk)
archive = smk.wildcards.archive
mirror = resolve_mirror(smk.params.mirror, root=Path.cwd())
try:
    fetch(omniglot_archive(archive), Path(smk.output[0]), mirror)
except FetchError as err:
    raise SystemExit(f"error: {err}")
print(f"{archive}.zip: MD5 verified ({'mirror ' + str(mirror) if mirror else 'downloaded'})")
