"""Snakemake script: Fig. A10 of Feinman & Lake (2021) - GNS classification fits. One row per trial
(test image): on the left the correct training image's best parse and that parse refitted to the
test image, on the right the same for an incorrect training image (the one GNS chose, if the trial
was misclassified, else the best-scoring wrong one). Above each pair its two-way score (Eq. 5);
the model's choice is in bold. Correct trials first, then misclassified ones, from the first
episodes in order (the paper shows 7 trials, 2 of them misclassified)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from charchallenge.data.episodes import load_runs  # noqa: E402
from charchallenge.gns2021.classify import RefitParams, refit_tokens  # noqa: E402
from charchallenge.gns2021.errors import best_parse, fig_a10_trials  # noqa: E402
from charchallenge.gns2021.plotting import draw_strokes  # noqa: E402
from charchallenge.preprocess.splines import drawing_trajectories  # noqa: E402
from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
cp = run["gns2021"]["classify"]
n_correct, n_wrong = 5, 2
episodes = {e.name: e for e in load_runs(smk.input.episodes)}


def find(paths, suffix):
    return torch.load([p for p in paths if p.endswith(suffix)][0], weights_only=False)


trials, wanted = {"correct": [], "wrong": []}, {"correct": n_correct, "wrong": n_wrong}
for name in smk.params.runs:
    if len(trials["correct"]) >= n_correct and len(trials["wrong"]) >= n_wrong:
        break
    fwd, rev = find(smk.input.refits, f"/{name}_forward.pt"), find(smk.input.refits, f"/{name}_reverse.pt")
    fig_a10_trials(name, find(smk.input.parses, f"/{name}_parses.pt"), fwd, rev, episodes[name].labels, cp["k"],
                   wanted, trials)
shown = trials["correct"] + trials["wrong"]
if not shown:
    raise SystemExit("error: no classification trial to show")

# the best parse of each shown training image refitted to its test image
types, tokens = [], []
for tr in shown:
    episode, saved = episodes[tr["run"]], tr["saved"]
    tr["test_image"] = episode.test_images()[tr["test"]] > 0.5
    tr["train_images"] = [episode.train_images()[c] > 0.5 for c in tr["classes"]]
    for c in tr["classes"]:
        best = best_parse(saved, c)
        types.append(saved["fitted"].type_strokes(best))
        # pairs come from different episodes' parse sets: one call each
        refit_tokens(saved["fitted"], [best], torch.tensor(tr["test_image"][None], dtype=torch.float32),
                     RefitParams(**cp["refit"]), tokens=tokens)

fig, axes = plt.subplots(len(shown), 4, figsize=(8, 2.2 * len(shown)), squeeze=False)
for r, tr in enumerate(shown):
    for side in range(2):
        i = 2 * r + side
        c = tr["classes"][side]
        bold = c == tr["chosen"]
        what = "correct" if side == 0 else "incorrect"
        draw_strokes(axes[r, 2 * side], drawing_trajectories(types[i]), f"I(c): {what} class {c + 1}",
                     image=tr["train_images"][side], bold=bold)
        draw_strokes(axes[r, 2 * side + 1], drawing_trajectories(tokens[i]), f"I(T), score {tr['scores'][side]:.1f}",
                     image=tr["test_image"], bold=bold)
    axes[r, 0].set_ylabel(f"{tr['run']} item {tr['test'] + 1}\n{'correct' if tr['kind'] == 'correct' else 'MISCLASSIFIED'}",
                          fontsize=8)
fig.suptitle(f"GNS classification fits (Fig. A10 layout, {run['scale']} scale)\nbest parse of a training image I(c) "
             "refitted to the test image I(T); two-way score (Eq. 5), the model's choice in bold", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output[0])
print(f"{len(trials['correct'])} correct and {len(trials['wrong'])} misclassified trials shown")
