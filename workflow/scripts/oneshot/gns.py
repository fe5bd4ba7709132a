"""Snakemake script: GNS one-shot classification errors (Feinman & Lake 2021, Eq. 4-5) per run,
two-way and forward only, from the saved parses and refits of every episode; and the cost curve
(:mod:`charchallenge.gns2021.errors`)."""

import torch

from charchallenge.data.episodes import load_runs
from charchallenge.gns2021.errors import cost_curve, episode_errors, params_rows
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of
from charchallenge.oneshot.scoring import summarise
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
episodes = {e.name: e for e in load_runs(smk.input.episodes)}
if sorted(episodes) != sorted(smk.params.runs):
    raise SystemExit(f"error: the episode folder holds {sorted(episodes)}, the workflow expects {smk.params.runs}; "
                     "set params oneshot.n_runs to the number of runs (official: 20)")


def load(paths, suffix):
    return torch.load([p for p in paths if p.endswith(suffix)][0], weights_only=False)


prov = provenance(run["scale"], run["seed"], "cpu")  # this job's; the fits' and refits' below
cost, seconds, devices = [], 0.0, set()
for name in smk.params.runs:
    saved = load(smk.input.parses, f"/{name}_parses.pt")
    fwd, rev = load(smk.input.refits, f"/{name}_forward.pt"), load(smk.input.refits, f"/{name}_reverse.pt")
    seconds += saved["seconds"] + fwd["seconds"] + rev["seconds"]
    if smk.input.screens:  # the screen's short refits of every pair (gns2021.classify.screen)
        seconds += load(smk.input.screens, f"/{name}_screen.pt")["seconds"]
    devices |= {d.get("device", prov["device"]) for d in (saved, fwd, rev)}  # where the fits and refits ran
    cost += episode_errors(name, saved, fwd, rev, episodes[name].labels, cp)

per_run = params_rows(cost, cp)
common = {"scale": run["scale"], "episodes": episode_set_of(smk.input.episodes), "seconds": round(seconds, 1),
          "seconds_note": "sum over the episode jobs (parse + fit + screen, if any, + both refits); jobs run side by side on the cores",
          "device": "; ".join(sorted(devices)), "provenance": prov,
          "params": {"classify": cp, "parsing": run["gns2021"]["parsing"]}}
for key, out, info, label in (("error_two_way", smk.output.two_way, smk.output.two_way_info, "GNS two-way (Eq. 5)"),
                              ("error_forward", smk.output.forward, smk.output.forward_info, "GNS forward only (Eq. 4)")):
    table = per_run[["run", "n_way", "trials", key]].rename(columns={key: "error"})
    write_csv(out, table)
    write_json(info, {"label": label, **common, "summary": summarise(table.error.to_numpy(), table.trials.to_numpy())})
curve = cost_curve(cost)
write_csv(smk.output.cost, curve)
print(per_run.to_string(index=False))
print(curve.to_string(index=False))
