"""Snakemake script: Table 1 (average test NLL per character, 3 models x 7 tasks) with the paper's
numbers in adjacent columns, whether each run converged (:mod:`charchallenge.feinman2020.table1`),
and the claims table (:mod:`charchallenge.feinman2020.claims`: verdicts "holds" / "does not hold" /
"not evidence").

Per task, the grid configuration is the one with the lowest mean *validation* NLL over the
splits (validation: training characters set aside); test NLLs are read only for the table.
"""

import json

import pandas as pd

from charchallenge.feinman2020.claims import table1_claims
from charchallenge.feinman2020.table1 import PAPER, holdout_description, select_runs, table1_frame, table1_metrics
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
fl = run["feinman2020"]
criterion = fl["convergence"]

runs = [json.load(open(p)) for p in smk.input.runs]
holdouts = {r["model"]: r for r in (json.load(open(p)) for p in smk.input.holdouts)}

table, converged, status, selected, seconds = select_runs(runs, holdouts, criterion)
frame = table1_frame(table, status)
write_csv(smk.output.table, frame)

claims, ttest = table1_claims(table, converged, holdouts, fl["claims"]["alpha"], paper=PAPER)
write_csv(smk.output.claims, pd.DataFrame(claims)[["claim", "criterion", "paper", "measured", "verdict"]])

metrics = table1_metrics(table, converged, status, selected, seconds, claims, ttest,
                         holdout_description(run["data"]["background"], holdouts), criterion)
metrics["provenance"] = provenance(run["scale"], run["seed"], holdouts["full_ns"]["provenance"]["device"].split(":")[0])
write_json(smk.output.metrics, metrics)
print(frame.to_string(index=False))
print(pd.DataFrame(claims)[["claim", "verdict"]].to_string(index=False))
