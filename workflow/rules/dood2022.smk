# Liang et al. (2022), DooD, with the AIR baseline (Eslami et al. 2016): every model variant of
# params dood2022.models trained on every available dataset with every seed; the cross-dataset
# transfer table (Fig. 4), samples with FID (Fig. 6), new exemplars (Fig. 7) and a one-shot
# leaderboard row (Table 1).

from charchallenge.data.remote import REMOTE_DATASETS as _REMOTE_DATASETS
from charchallenge.dood2022.data import check_datasets as _dood_datasets, remote_inputs as _dood_remote_inputs

DOOD = P["dood2022"]
DOOD_RESULTS = "results/dood2022/{scale}"
DOOD_MODELS = "data/models/dood2022/{scale}"
DOOD_DATA = "data/processed/dood2022/{scale}"
try:
    DOOD_DATASETS = _dood_datasets(DOOD["datasets"])
except ValueError as _err:
    raise WorkflowError(f"params.yaml: {_err}") from None
DOOD_VARIANTS = list(DOOD["models"])
DOOD_RUN = "{variant}_{dataset}_seed{seed}"
# What this file reads from other studies, by path (rule files are included in name order, so
# the constants of gns2021.smk and oneshot.smk are not defined yet here).
DOOD_ONESHOT = "results/oneshot/{scale}"
DOOD_EPISODES = "data/episodes/{scale}"


wildcard_constraints:
    variant="|".join(DOOD_VARIANTS),
    dataset="|".join(DOOD_DATASETS),
    seed="[0-9]+",


def dood_runs(pattern):
    """``pattern`` for every trained model: variant x dataset x seed (scale kept as a wildcard)."""
    return expand(pattern, variant=DOOD_VARIANTS, dataset=DOOD_DATASETS, seed=DOOD["seeds"], allow_missing=True)


def dood_raw_files(wildcards):
    """The downloaded files a dataset is built from (none for Omniglot and the offline MNIST)."""
    return [f"data/raw/{f.dataset}/{f.name}" for f in _dood_remote_inputs(wildcards.dataset, DOOD["download"])]


rule dood2022_fetch:
    """One file of a downloaded dataset (MNIST, EMNIST, KMNIST, QuickDraw), from the mirror folder
    (params data.mirror, <mirror>/<dataset>/<file>) or its address, MD5-verified."""
    output:
        "data/raw/{remote}/{filename}",
    input:
        code=script_code("dood2022/fetch.py"),
    params:
        mirror=P["data"]["mirror"],
        download=DOOD["download"],
    wildcard_constraints:
        remote="|".join(_REMOTE_DATASETS),
    log:
        job_log("dood2022_fetch", "remote", "filename"),
    benchmark:
        job_benchmark("dood2022_fetch", "remote", "filename"),
    script:
        "../scripts/dood2022/fetch.py"


rule dood2022_data:
    """One dataset's training, validation and test images at the model's resolution."""
    output:
        f"{DOOD_DATA}/{{dataset}}.npz",
    input:
        dataset=DATASET,
        raw=dood_raw_files,
        code=script_code("dood2022/data.py"),
    params:
        run=section_params("dood2022", "image_size", "split", "download", extra=("data",)),
    log:
        job_log("dood2022_data", "scale", "dataset"),
    benchmark:
        job_benchmark("dood2022_data", "scale", "dataset"),
    script:
        "../scripts/dood2022/data.py"


rule dood2022_train:
    """One model variant trained on one dataset with one seed (NVIL, Eq. 9), early-stopped on the
    validation ELBO; its learning curve (ELBO, strokes per image)."""
    output:
        model=f"{DOOD_MODELS}/{DOOD_RUN}.pt",
        curve=f"{DOOD_RESULTS}/curves/{DOOD_RUN}.csv",
    input:
        data=f"{DOOD_DATA}/{{dataset}}.npz",
        code=script_code("dood2022/train.py"),
    params:
        run=section_params("dood2022", "image_size", "models", "dood", "air", "train"),
        checkpoint_dir=lambda wc: f"checkpoints/dood2022/{wc.scale}/{wc.variant}_{wc.dataset}_seed{wc.seed}",
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("dood2022_train", "scale", "variant", "dataset", "seed"),
    benchmark:
        job_benchmark("dood2022_train", "scale", "variant", "dataset", "seed"),
    script:
        "../scripts/dood2022/train.py"


rule dood2022_transfer:
    """One trained model's IWAE log-likelihood on every dataset's test images, and reconstructions."""
    output:
        scores=f"{DOOD_RESULTS}/transfer/{DOOD_RUN}.csv",
        reconstructions=f"{DOOD_MODELS}/reconstructions/{DOOD_RUN}.npz",
    input:
        model=f"{DOOD_MODELS}/{DOOD_RUN}.pt",
        targets=expand(f"{DOOD_DATA}/{{target}}.npz", target=DOOD_DATASETS, allow_missing=True),
        code=script_code("dood2022/transfer.py"),
    params:
        run=section_params("dood2022", "iwae", "reconstructions"),
        targets=DOOD_DATASETS,
    threads: 1
    log:
        job_log("dood2022_transfer", "scale", "variant", "dataset", "seed"),
    benchmark:
        job_benchmark("dood2022_transfer", "scale", "variant", "dataset", "seed"),
    script:
        "../scripts/dood2022/transfer.py"


rule dood2022_transfer_table:
    """Fig. 4: the source x target IWAE table per model variant (mean and SD over seeds), the
    execution-guidance ablation, reconstructions per cell, and the learning curves."""
    output:
        table=report(
            f"{DOOD_RESULTS}/transfer.csv",
            caption="../report/dood2022/transfer.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 4 transfer",
        ),
        figure=report(
            f"{DOOD_RESULTS}/fig4_transfer.png",
            caption="../report/dood2022/fig4_transfer.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 4 transfer",
        ),
        reconstructions=report(
            f"{DOOD_RESULTS}/fig4_reconstructions.png",
            caption="../report/dood2022/fig4_reconstructions.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 4 transfer",
        ),
        curves=report(
            f"{DOOD_RESULTS}/learning_curves.csv",
            caption="../report/dood2022/learning_curves_table.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="training",
        ),
        curves_per_run=directory(f"{DOOD_RESULTS}/learning_curves"),
        curves_figure=report(
            f"{DOOD_RESULTS}/learning_curves.png",
            caption="../report/dood2022/learning_curves.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="training",
        ),
        metrics=f"{DOOD_RESULTS}/transfer.json",
    input:
        scores=dood_runs(f"{DOOD_RESULTS}/transfer/{DOOD_RUN}.csv"),
        reconstructions=dood_runs(f"{DOOD_MODELS}/reconstructions/{DOOD_RUN}.npz"),
        curves=dood_runs(f"{DOOD_RESULTS}/curves/{DOOD_RUN}.csv"),
        models=dood_runs(f"{DOOD_MODELS}/{DOOD_RUN}.pt"),
        targets=expand(f"{DOOD_DATA}/{{dataset}}.npz", dataset=DOOD_DATASETS, allow_missing=True),
        code=script_code("dood2022/transfer_table.py"),
    params:
        run=section_params("dood2022", "models", "seeds", "iwae", "reconstructions", "convergence"),
        datasets=DOOD_DATASETS,
    log:
        job_log("dood2022_transfer_table", "scale"),
    benchmark:
        job_benchmark("dood2022_transfer_table", "scale"),
    script:
        "../scripts/dood2022/transfer_table.py"


rule dood2022_strokes:
    """The stop variable on held-out Omniglot: every Omniglot model's stroke count per test image
    against the drawer's (mean, Spearman, verdict), the ELBO with the count forced to 0..max, and
    reconstructions with one colour per stroke."""
    output:
        table=report(
            f"{DOOD_RESULTS}/strokes.csv",
            caption="../report/dood2022/strokes.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="strokes",
        ),
        forced=f"{DOOD_RESULTS}/strokes_forced.csv",
        figure=report(
            f"{DOOD_RESULTS}/fig_strokes.png",
            caption="../report/dood2022/strokes.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="strokes",
        ),
        metrics=f"{DOOD_RESULTS}/strokes.json",
    input:
        models=expand(f"{DOOD_MODELS}/{{variant}}_omniglot_seed{{seed}}.pt", variant=DOOD_VARIANTS,
                      seed=DOOD["seeds"], allow_missing=True),
        curves=expand(f"{DOOD_RESULTS}/curves/{{variant}}_omniglot_seed{{seed}}.csv", variant=DOOD_VARIANTS,
                      seed=DOOD["seeds"], allow_missing=True),
        data=f"{DOOD_DATA}/omniglot.npz",
        dataset=DATASET,
        code=script_code("dood2022/strokes.py"),
    params:
        run=section_params("dood2022", "strokes", "convergence"),
    threads: 1
    log:
        job_log("dood2022_strokes", "scale"),
    benchmark:
        job_benchmark("dood2022_strokes", "scale"),
    script:
        "../scripts/dood2022/strokes.py"


rule dood2022_clusters:
    """Fig. 5: DooD's inferred strokes and AIR's part latents on held-out Omniglot, k-means
    clusters, Silhouette coefficients beside the paper's, t-SNE with exemplar parts."""
    output:
        table=report(
            f"{DOOD_RESULTS}/clusters.csv",
            caption="../report/dood2022/clusters.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 5 clusters",
        ),
        figure=report(
            f"{DOOD_RESULTS}/fig5_clusters.png",
            caption="../report/dood2022/clusters.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 5 clusters",
        ),
        metrics=f"{DOOD_RESULTS}/clusters.json",
    input:
        models=expand(f"{DOOD_MODELS}/{{variant}}_omniglot_seed{{seed}}.pt", variant=DOOD["clusters"]["variants"],
                      seed=DOOD["seeds"], allow_missing=True),
        data=f"{DOOD_DATA}/omniglot.npz",
        code=script_code("dood2022/clusters.py"),
    params:
        run=section_params("dood2022", "clusters"),
    threads: 1
    log:
        job_log("dood2022_clusters", "scale"),
    benchmark:
        job_benchmark("dood2022_clusters", "scale"),
    script:
        "../scripts/dood2022/clusters.py"


rule dood2022_samples:
    """Fig. 6: unconditional samples of every model and dataset, FID against held-out images on the
    features of the character classifier trained here, GNS's samples scored alike on Omniglot."""
    output:
        table=report(
            f"{DOOD_RESULTS}/fid.csv",
            caption="../report/dood2022/fid.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 6 samples",
        ),
        figure=report(
            f"{DOOD_RESULTS}/fig6_samples.png",
            caption="../report/dood2022/fig6_samples.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 6 samples",
        ),
        metrics=f"{DOOD_RESULTS}/fid.json",
    input:
        models=dood_runs(f"{DOOD_MODELS}/{DOOD_RUN}.pt"),
        data=expand(f"{DOOD_DATA}/{{dataset}}.npz", dataset=DOOD_DATASETS, allow_missing=True),
        classifier="data/models/feinman2020/{scale}/classifier.pt",
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("dood2022/samples.py"),
    params:
        run={**section_params("dood2022", "models", "seeds", "image_size", "samples"),
             "gns2021": {"concepts": P["gns2021"]["concepts"]}},
        datasets=DOOD_DATASETS,
    threads: 1
    log:
        job_log("dood2022_samples", "scale"),
    benchmark:
        job_benchmark("dood2022_samples", "scale"),
    script:
        "../scripts/dood2022/samples.py"


rule dood2022_exemplars:
    """Fig. 7: new exemplars of held-out Omniglot characters from the recognition model and the
    token model, beside GNS's for the same targets (Fig. 4a's)."""
    output:
        report(
            f"{DOOD_RESULTS}/fig7_exemplars.png",
            caption="../report/dood2022/fig7_exemplars.rst",
            category="DooD (Liang et al. 2022)",
            subcategory="Fig. 7 exemplars",
        ),
    input:
        model=f"{DOOD_MODELS}/dood_omniglot_seed{DOOD['seeds'][0]}.pt",
        gns="data/models/gns2021/{scale}/exemplars.pt",
        code=script_code("dood2022/exemplars.py"),
    params:
        run=section_params("dood2022", "image_size", "token", "exemplars"),
    threads: 1
    log:
        job_log("dood2022_exemplars", "scale"),
    benchmark:
        job_benchmark("dood2022_exemplars", "scale"),
    script:
        "../scripts/dood2022/exemplars.py"


rule dood2022_oneshot:
    """Table 1: DooD's posterior-predictive score on the shared one-shot episodes, a leaderboard row."""
    output:
        runs=f"{DOOD_ONESHOT}/dood.csv",
        info=f"{DOOD_ONESHOT}/dood.json",
    input:
        episodes=DOOD_EPISODES,
        model=f"{DOOD_MODELS}/dood_omniglot_seed{DOOD['seeds'][0]}.pt",
        code=script_code("dood2022/oneshot.py"),
    params:
        run=section_params("dood2022", "image_size", "token", "classify"),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("dood2022_oneshot", "scale"),
    benchmark:
        job_benchmark("dood2022_oneshot", "scale"),
    script:
        "../scripts/dood2022/oneshot.py"
