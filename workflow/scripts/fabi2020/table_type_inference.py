"""Snakemake script: type-inference accuracy (section 3.3) and protocol (b)'s confusion matrix.

(a) the paper's protocol: one noise variant per novel letter, generated as in Fig. 3 (paper: 12 of
13 correct); (b) every other human drawer's version of every novel letter. The class is the
largest entry of the inferred input code over all characters, trained ones included
(``accuracy``, chance 1/26 for Latin), or over the novel characters only (``accuracy_among_novel``,
chance 1/13); each accuracy has its chance level beside it. The confusion matrix (rows: true novel letter, columns: inferred character) sums over seeds.
"""

import numpy as np
import pandas as pd
import torch

from charchallenge.fabi2020.pipeline import over_seeds
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
res = torch.load(smk.input.type_inference, weights_only=False)
labels, novel, seeds = res["labels"], res["novel"], res["seeds"]
rows = []
for name in ("a", "b"):
    r = res[name]
    hit = r["predicted"] == r["true"][None]
    acc = hit.mean(1)
    novel_only = np.array([[novel[int(np.argmax(code[novel]))] for code in seed_codes] for seed_codes in r["codes"]])
    acc_novel = (novel_only == r["true"][None]).mean(1)
    rows.append({"protocol": name, "instances_per_seed": hit.shape[1],
                 **over_seeds("correct", [int(h.sum()) for h in hit], seeds), **over_seeds("accuracy", acc, seeds),
                 "chance": 1.0 / len(labels), **over_seeds("accuracy_among_novel", acc_novel),
                 "chance_among_novel": 1.0 / len(novel),
                 **over_seeds("loss", r["loss"].mean(1))})
write_csv(smk.output.table, pd.DataFrame(rows))
r = res["b"]
confusion = np.zeros((len(novel), len(labels)), dtype=int)
for k in range(len(seeds)):
    for t, p in zip(r["true"], r["predicted"][k]):
        confusion[novel.index(int(t)), int(p)] += 1
frame = pd.DataFrame(confusion, columns=labels)
frame.insert(0, "true", [labels[c] for c in novel])
write_csv(smk.output.confusion, frame)
print(pd.DataFrame(rows)[["protocol", "correct_mean", "correct_sd", "accuracy_mean", "accuracy_sd"]].to_string(index=False))
