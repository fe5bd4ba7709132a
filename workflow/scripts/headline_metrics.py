"""Snakemake script: a stage's headline numbers as DVC metrics, one small file per number.

`dvc metrics show` prints one table whose columns are the union of every metrics file's keys, so
the repository's DVC metrics are one file per headline number (``{"value": x}``): the table
grows by rows, not columns, and stays readable in 80 columns. Which numbers, and where they
come from in the stage's detailed metrics files, is the ``headline`` entry of the stage in
workflow/results.yaml. The provenance (scale, seeds, device, versions) of the detailed file is
written beside them, in headline/provenance.json, which is not a DVC metric.
"""

import json
import numbers
from pathlib import Path

from charchallenge.io import write_json
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
provenance = {}
for name, (path, *keys) in smk.params.headline.items():
    value = json.load(open(path))
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise KeyError(f"{path}: no key {' -> '.join(keys)} for headline metric '{name}' (workflow/results.yaml)")
        value = value[key]
    if not isinstance(value, numbers.Number) or isinstance(value, bool):
        raise TypeError(f"{path}: {' -> '.join(keys)} is {value!r}, not a number (headline metric '{name}')")
    write_json(Path(smk.params.folder) / f"{name}.json", {"value": value})
    provenance[name] = {"from": f"{path}: {' -> '.join(keys)}",
                        **json.load(open(path)).get("provenance", {})}
    print(f"{name} = {value}")
write_json(smk.output.provenance, provenance)
