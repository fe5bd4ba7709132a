"""Snakemake script: one file of a downloaded DooD dataset (:mod:`charchallenge.data.remote`),
copied from the mirror folder or downloaded, MD5-verified, written atomically."""

from pathlib import Path

from charchallenge.data.remote import FetchError, fetch, remote_files, resolve_mirror
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821 (provided by Snakemake)
log_to_file(smk)
qd = smk.params.download["quickdraw"]
try:
    files = {f.name: f for f in remote_files(smk.wildcards.remote, qd["categories"], qd["md5"])}
    if smk.wildcards.filename not in files:
        raise FetchError(f"{smk.wildcards.remote} has no file {smk.wildcards.filename}; "
                         f"its files: {sorted(files)}")
    file = files[smk.wildcards.filename]
    mirror = resolve_mirror(smk.params.mirror, root=Path.cwd())
    fetch(file, Path(smk.output[0]), mirror)
except FetchError as err:
    raise SystemExit(f"error: {err}")
print(f"{file.dataset}/{file.name}: MD5 verified ({'mirror ' + str(mirror) if mirror else 'downloaded from ' + file.url})")
