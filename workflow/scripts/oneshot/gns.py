"""Snakemake script: GNS one-shot classification errors (Feinman & Lake 2021, Eq. 4-5) per run,
two-way and forward only, from the saved parses and refits of every episode; and the cost curve:
the same errors had the refits stopped earlier (``record_at``) or kept fewer parses per image
(the top k by fitted score)."""

import torch
import pandas as pd

from charchallenge.data.episodes import load_runs
from charchallenge.gns2021.classify import episode_scores, keep_top, parse_score_table, predictions
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of
from charchallenge.oneshot.scoring import run_error, summarise
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
k = cp["k"]
episodes = {e.name: e for e in load_runs(smk.input.episodes)}
if sorted(episodes) != sorted(smk.params.runs):
    raise SystemExit(f"error: the episode folder holds {sorted(episodes)}, the workflow expects {smk.params.runs}; "
                     "set params oneshot.n_runs to the number of runs (official: 20)")


prov = provenance(run["scale"], run["seed"], "cpu")  # this job's; the fits' and refits' below
rows, cost, seconds, devices = [], [], 0.0, set()
levels = sorted(set(cp["record_at"]) & set(range(1, cp["refit"]["iterations"]))) + [cp["refit"]["iterations"]]
for name in smk.params.runs:
    saved = torch.load([p for p in smk.input.parses if p.endswith(f"/{name}_parses.pt")][0], weights_only=False)
    fwd = torch.load([p for p in smk.input.refits if p.endswith(f"/{name}_forward.pt")][0], weights_only=False)
    rev = torch.load([p for p in smk.input.refits if p.endswith(f"/{name}_reverse.pt")][0], weights_only=False)
    seconds += saved["seconds"] + fwd["seconds"] + rev["seconds"]
    devices |= {d.get("device", prov["device"]) for d in (saved, fwd, rev)}  # where the fits and refits ran
    s = parse_score_table(saved["fitted"], saved["owner"], k)
    n_train, labels = saved["n_train"], episodes[name].labels
    for it in levels:
        f = fwd["scores"] if it == cp["refit"]["iterations"] else fwd["recorded"][it]
        r = rev["scores"] if it == cp["refit"]["iterations"] else rev["recorded"][it]
        for n in range(1, k + 1):
            sk = keep_top(s, n)
            sc = episode_scores(sk[:n_train], sk[n_train:], f, r)
            entry = {"run": name, "n_way": n_train, "trials": len(labels), "refit_iterations": it, "k": n,
                     "error_two_way": run_error(predictions(sc["two_way"]), labels),
                     "error_forward": run_error(predictions(sc["forward"]), labels)}
            cost.append(entry)
            if it == cp["refit"]["iterations"] and n == k:
                rows.append(entry)

per_run = pd.DataFrame(rows)
common = {"scale": run["scale"], "episodes": episode_set_of(smk.input.episodes), "seconds": round(seconds, 1),
          "seconds_note": "sum over the episode jobs (parse + fit + both refits); jobs run side by side on the cores",
          "device": "; ".join(sorted(devices)), "provenance": prov,
          "params": {"classify": cp, "parsing": run["gns2021"]["parsing"]}}
for key, out, info, label in (("error_two_way", smk.output.two_way, smk.output.two_way_info, "GNS two-way (Eq. 5)"),
                              ("error_forward", smk.output.forward, smk.output.forward_info, "GNS forward only (Eq. 4)")):
    table = per_run[["run", "n_way", "trials", key]].rename(columns={key: "error"})
    write_csv(out, table)
    write_json(info, {"label": label, **common, "summary": summarise(table.error.to_numpy(), table.trials.to_numpy())})
curve = (pd.DataFrame(cost).groupby(["refit_iterations", "k"])
         .apply(lambda d: pd.Series({"trials": d.trials.sum(),
                                     "error_two_way": (d.error_two_way * d.trials).sum() / d.trials.sum(),
                                     "error_forward": (d.error_forward * d.trials).sum() / d.trials.sum()}),
                include_groups=False)
         .reset_index())
write_csv(smk.output.cost, curve)
print(per_run.to_string(index=False))
print(curve.to_string(index=False))
