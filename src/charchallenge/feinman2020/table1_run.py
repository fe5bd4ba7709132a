"""One run of Feinman & Lake (2020)'s Table 1: a model trained on one split (or the holdout) and
scored on its test drawings (average test NLL per character).

Every run sets aside a validation slice of its training characters (``validation_fraction``):
it early-stops the run and is the only data any model selection looks at. Alphabet/character
splits train one grid configuration each (Table 1 picks per task the configuration with the
lowest mean validation NLL over the splits, :mod:`.table1`). The holdout trains every grid
configuration on the holdout's training alphabets and keeps the one with the lowest validation
NLL.

Deviation from the paper, which picks the holdout's hyperparameters on the alphabet splits:
offline, the alphabet splits are drawn from all 8 mirrored alphabets, so their data include the
holdout's test alphabets; selecting on the holdout's own validation characters keeps the test
alphabets unseen until the test score, online and offline alike.
"""

from __future__ import annotations

import math
import time

from .splits import make_split, subsample, validation_split
from .train import evaluate, train_model


def run_indices(corpus, task: str, split: int, seed: int, splits: dict, validation_fraction: float, background: str):
    """The (fit, validation, test) drawings of one run (``splits``: params ``feinman2020.splits``)."""
    train_idx, test_idx = make_split(task, split, corpus.alphabet, corpus.character, seed, splits["test_fraction"],
                                     background)
    train_idx = subsample(train_idx, splits["max_train"], seed + split)
    test_idx = subsample(test_idx, splits["max_test"], seed + split + 100)
    fit_idx, val_idx = validation_split(train_idx, corpus.alphabet, corpus.character, validation_fraction,
                                        seed + 1000 + split)
    return fit_idx, val_idx, test_idx


def train_and_score(corpus, name: str, task: str, split: int, configs: list[int], fl: dict, seed: int,
                    background: str, device, checkpoint_dir: str, extra_code=()):
    """Train model ``name`` on one run's drawings with each grid configuration of ``configs``
    (params ``feinman2020.grid``), keep the one with the lowest validation NLL and score its test
    drawings. ``fl``: params ``feinman2020``; checkpoints under ``checkpoint_dir`` (``_c<config>``
    appended on the holdout, which trains several). Returns the run's record (without provenance)
    and the chosen model."""
    grid, sp, tp = fl["grid"][name], fl["splits"], fl["train"]
    fit_idx, val_idx, test_idx = run_indices(corpus, task, split, seed, sp, tp["validation_fraction"], background)

    trained = []
    for config in configs:
        start = time.time()
        model, result = train_model(name, grid[config], tp, corpus.enc, corpus.canvases, fit_idx, seed=seed,
                                    val_idx=val_idx, device=device,
                                    checkpoint_dir=f"{checkpoint_dir}_c{config}" if task == "holdout"
                                    else checkpoint_dir, progress=True, extra_code=list(extra_code))
        best_val = min(h["val_loss"] for h in result.history)
        trained.append({"config": config, "model": model, "result": result, "seconds": time.time() - start,
                        "best_val": best_val})
        print(f"{name} {task}{split} config {config}: stopped on {result.stopped} after {result.steps} steps, "
              f"best validation NLL {best_val:.3f} at step {result.best_step}")
    chosen = min(trained, key=lambda t: (t["best_val"], t["config"]))
    model, result = chosen["model"], chosen["result"]

    t_eval = time.time()
    ev = evaluate(model, corpus.enc, corpus.canvases, test_idx, tp["eval_batch"])
    seconds_eval = time.time() - t_eval
    steps_per_epoch = math.ceil(len(fit_idx) / tp["batch_size"])
    done_here = result.steps - result.resumed_from

    record = {
        "model": name, "task": task, "split": split, "config": chosen["config"], "hp": grid[chosen["config"]],
        "selection": {"by": "best validation NLL", "validation_nll": {str(t["config"]): t["best_val"] for t in trained}}
        if task == "holdout" else None,
        "n_train": int(len(fit_idx)), "n_validation": int(len(val_idx)), "n_test": int(len(test_idx)),
        "train_alphabets": sorted(set(corpus.alphabet[fit_idx].tolist())),
        "test_alphabets": sorted(set(corpus.alphabet[test_idx].tolist())),
        "test_ids": test_idx.tolist(), "test_nll": ev["nll"].tolist(),
        "test_characters": [f"{a}/{c}" for a, c in zip(corpus.alphabet[test_idx], corpus.character[test_idx])],
        "test_nll_mean": float(ev["nll"].mean()),
        "test_parts_mean": {k: float(v.mean()) for k, v in ev.items() if k != "nll"},
        "validation_nll_best": chosen["best_val"],
        "history": result.history, "stopped": result.stopped, "best_step": result.best_step,
        "steps": result.steps, "steps_per_epoch": steps_per_epoch, "epochs": result.steps / steps_per_epoch,
        "resumed_from": result.resumed_from,
        "seconds_train": sum(t["seconds"] for t in trained), "seconds_eval": seconds_eval,
        "seconds_per_epoch": chosen["seconds"] / max(done_here / steps_per_epoch, 1e-9) if done_here else None,
    }
    return record, model
