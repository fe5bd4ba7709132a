"""Snakemake script: the provenance table of the report - the run's settings and every job's cost.

First the run: scale, seeds, device, library versions. Then one row per job benchmark file
under results/benchmarks/<scale>/ (rule, job, wall time, peak memory, CPU time, as Snakemake
measured them). A job that resumed from a checkpoint records only the time it ran this time.
"""

from pathlib import Path

import pandas as pd

from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description, library_versions

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
rows = [{"kind": "run", "name": "scale", "value": run["scale"]},
        {"kind": "run", "name": "seeds", "value": str(smk.params.seeds)},
        {"kind": "run", "name": "device", "value": device_description("cpu")}]
rows += [{"kind": "library", "name": k, "value": v} for k, v in library_versions().items()]
for path in sorted(Path(smk.params.benchmarks).glob("*/*.tsv")):
    bench = pd.read_csv(path, sep="\t")
    rows.append({"kind": "job", "name": f"{path.parent.name} {path.stem}",
                 "value": f"{bench['s'].iloc[-1]:.1f} s wall, {bench['max_rss'].iloc[-1]:.0f} MB peak, "
                          f"{bench['cpu_time'].iloc[-1]:.1f} s CPU"})
write_csv(smk.output[0], pd.DataFrame(rows))
print(f"{sum(r['kind'] == 'job' for r in rows)} job benchmarks")
