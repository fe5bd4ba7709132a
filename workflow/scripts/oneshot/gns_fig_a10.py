"""Snakemake script: Fig. A10 of Feinman & Lake (2021) - GNS classification fits. One row per trial
(test image): on the left the correct training image's best parse and that parse refitted to the
test image, on the right the same for an incorrect training image (the one GNS chose, if the trial
was misclassified, else the best-scoring wrong one). Above each pair its two-way score (Eq. 5);
the model's choice is in bold. Correct trials first, then misclassified ones, from the first
episodes in order (the paper shows 7 trials, 2 of them misclassified)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from charchallenge.data.episodes import load_runs  # noqa: E402
from charchallenge.gns2021.classify import RefitParams, episode_scores, refit_tokens  # noqa: E402
from charchallenge.gns2021.plotting import draw_strokes, trajectories  # noqa: E402
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


def parse_scores(saved):
    owner = np.asarray(saved["owner"])
    out = torch.full((int(owner.max()) + 1, cp["k"]), -float("inf"), dtype=torch.float64)
    for i in range(out.shape[0]):
        rows = np.flatnonzero(owner == i)
        out[i, : len(rows)] = saved["fitted"].score[rows].double()
    return out


trials = {"correct": [], "wrong": []}
for name in smk.params.runs:
    if len(trials["correct"]) >= n_correct and len(trials["wrong"]) >= n_wrong:
        break
    saved = find(smk.input.parses, f"/{name}_parses.pt")
    fwd, rev = find(smk.input.refits, f"/{name}_forward.pt"), find(smk.input.refits, f"/{name}_reverse.pt")
    s, n_train = parse_scores(saved), saved["n_train"]
    two_way = episode_scores(s[:n_train], s[n_train:], fwd["scores"], rev["scores"])["two_way"].numpy()  # (T, C)
    labels = episodes[name].labels
    for t, label in enumerate(labels):
        chosen = int(two_way[t].argmax())
        kind = "correct" if chosen == label else "wrong"
        if len(trials[kind]) >= (n_correct if kind == "correct" else n_wrong):
            continue
        other = chosen if kind == "wrong" else int(np.argsort(two_way[t])[-2])
        trials[kind].append({"kind": kind, "run": name, "test": t, "classes": [int(label), other], "chosen": chosen,
                             "scores": [float(two_way[t, label]), float(two_way[t, other])], "saved": saved})
shown = trials["correct"] + trials["wrong"]
if not shown:
    raise SystemExit("error: no classification trial to show")

# refit the best parse of each shown training image to its test image (one batch)
rows, targets, types = [], [], []
for tr in shown:
    episode, saved = episodes[tr["run"]], tr["saved"]
    owner, fitted = np.asarray(saved["owner"]), saved["fitted"]
    test_image = episode.test_images()[tr["test"]] > 0.5
    tr["test_image"], tr["train_images"] = test_image, []
    for c in tr["classes"]:
        mine = np.flatnonzero(owner == c)
        best = int(mine[int(fitted.score[mine].argmax())])
        rows.append((fitted, best))
        targets.append(test_image)
        tr["train_images"].append(episode.train_images()[c] > 0.5)
        types.append(fitted.type_strokes(best))
tokens = []
for pair, target in zip(rows, targets):  # pairs come from different episodes' parse sets: one call each
    refit_tokens(pair[0], [pair[1]], torch.tensor(target[None], dtype=torch.float32), RefitParams(**cp["refit"]),
                 tokens=tokens)

fig, axes = plt.subplots(len(shown), 4, figsize=(8, 2.2 * len(shown)), squeeze=False)
for r, tr in enumerate(shown):
    for side in range(2):
        i = 2 * r + side
        c = tr["classes"][side]
        bold = c == tr["chosen"]
        what = "correct" if side == 0 else "incorrect"
        draw_strokes(axes[r, 2 * side], trajectories(types[i]), f"I(c): {what} class {c + 1}",
                     image=tr["train_images"][side], bold=bold)
        draw_strokes(axes[r, 2 * side + 1], trajectories(tokens[i]), f"I(T), score {tr['scores'][side]:.1f}",
                     image=tr["test_image"], bold=bold)
    axes[r, 0].set_ylabel(f"{tr['run']} item {tr['test'] + 1}\n{'correct' if tr['kind'] == 'correct' else 'MISCLASSIFIED'}",
                          fontsize=8)
fig.suptitle(f"GNS classification fits (Fig. A10 layout, {run['scale']} scale)\nbest parse of a training image I(c) "
             "refitted to the test image I(T); two-way score (Eq. 5), the model's choice in bold", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output[0])
print(f"{len(trials['correct'])} correct and {len(trials['wrong'])} misclassified trials shown")
