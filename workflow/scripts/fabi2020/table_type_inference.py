"""Snakemake script: type-inference accuracy (section 3.3) and protocol (b)'s confusion matrix
(:func:`charchallenge.fabi2020.tables.type_inference_tables`).

(a) the paper's protocol: one noise variant per novel letter, generated as in Fig. 3 (paper: 12 of
13 correct); (b) every other human drawer's version of every novel letter. The class is the
largest entry of the inferred input code over all characters, trained ones included
(``accuracy``, chance 1/26 for Latin), or over the novel characters only (``accuracy_among_novel``,
chance 1/13); each accuracy has its chance level beside it. The confusion matrix (rows: true novel letter, columns: inferred character) sums over seeds.
"""

import torch

from charchallenge.fabi2020.tables import type_inference_tables
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
table, confusion = type_inference_tables(torch.load(smk.input.type_inference, weights_only=False))
write_csv(smk.output.table, table)
write_csv(smk.output.confusion, confusion)
print(table[["protocol", "correct_mean", "correct_sd", "accuracy_mean", "accuracy_sd"]].to_string(index=False))
