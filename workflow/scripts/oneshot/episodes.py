"""Snakemake script: the shared one-shot episode set (:mod:`charchallenge.oneshot.episode_set`):
the 20 official runs when ``all_runs.zip`` can be had (``oneshot.episodes``: auto/official), else
``oneshot.n_runs`` runs of ``oneshot.n_way`` ways from the alphabets no model trained on (offline:
the small2-only alphabets; all of an alphabet's characters where it has fewer), seeded."""

from pathlib import Path

from charchallenge.data.remote import resolve_mirror
from charchallenge.data.dataset import OmniglotDataset
from charchallenge.data.episodes import generate_runs, load_runs
from charchallenge.feinman2020.splits import SMALL2_ONLY
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import build_episode_set

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
os_ = run["oneshot"]
out = Path(smk.output[0])


def generate(folder):
    if run["data"]["background"] != "small":
        raise SystemExit("error: generated episodes need data.background = small (held-out small2-only alphabets); "
                         "with the full background set use the official runs (oneshot.episodes: official)")
    generate_runs(OmniglotDataset.load(smk.input.dataset), SMALL2_ONLY, os_["n_runs"], folder, n_way=os_["n_way"],
                  seed=run["seed"])


chosen = build_episode_set(os_["episodes"], out, resolve_mirror(run["data"]["mirror"]), generate)
episodes = load_runs(out)
for e in episodes:
    print(f"{e.name}: {e.n_way}-way, {len(e.test_paths)} test items")
print(f"{len(episodes)} {chosen} episodes in {out}")
