# Fabi, Otte, Wiese & Butz (2020): generative FF+LSTM networks and the character challenge.
# train (per seed) -> batched one-shot inference -> type inference; figures and tables read those.
# Artifacts (weights, inference results) live in data/models/fabi2020/{scale}/; training
# checkpoints in checkpoints/fabi2020/{scale}/seed<k>/ (not an output: survives a killed job).

FABI = P["fabi2020"]
FABI_MODELS = "data/models/fabi2020/{scale}"
FABI_RESULTS = "results/fabi2020/{scale}"
FABI_GPU = gpus(FABI["device"])


wildcard_constraints:
    seed=r"\d+",


def fabi_models(wildcards):
    return expand(f"{FABI_MODELS}/seed{{seed}}.pt", scale=wildcards.scale, seed=FABI["seeds"])


def fabi_models_without_ff(wildcards):
    return expand(f"{FABI_MODELS}/seed{{seed}}_without_ff.pt", scale=wildcards.scale, seed=FABI["seeds"])


FABI_INPUTS = dict(
    trajectories=TRAJECTORIES,
    models=fabi_models,
    one_shot=f"{FABI_MODELS}/one_shot.pt",
)


rule fabi2020_train:
    """Train one seed's generator (section 2); resumes from its checkpoint after a kill."""
    output:
        f"{FABI_MODELS}/seed{{seed}}.pt",
    input:
        trajectories=TRAJECTORIES,
        code=script_code("fabi2020/train.py"),
    params:
        run=script_params("fabi2020"),
        checkpoint_dir=lambda wc: f"checkpoints/fabi2020/{wc.scale}/seed{wc.seed}",
    threads: 1
    resources:
        gpu=FABI_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("fabi2020_train", "scale", "seed"),
    benchmark:
        job_benchmark("fabi2020_train", "scale", "seed"),
    script:
        "../scripts/fabi2020/train.py"


rule fabi2020_train_without_ff:
    """The ablation network (section 3.1): one-hot code straight into the LSTM, no FF layer,
    trained like the generator."""
    output:
        f"{FABI_MODELS}/seed{{seed}}_without_ff.pt",
    input:
        trajectories=TRAJECTORIES,
        code=script_code("fabi2020/train.py"),
    params:
        run=script_params("fabi2020"),
        checkpoint_dir=lambda wc: f"checkpoints/fabi2020/{wc.scale}/seed{wc.seed}_without_ff",
        without_ff=True,
    threads: 1
    resources:
        gpu=FABI_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("fabi2020_train_without_ff", "scale", "seed"),
    benchmark:
        job_benchmark("fabi2020_train_without_ff", "scale", "seed"),
    script:
        "../scripts/fabi2020/train.py"


rule fabi2020_one_shot_without_ff:
    """One-shot inference of the network without FF layer: only its input vector can adapt."""
    output:
        f"{FABI_MODELS}/one_shot_without_ff.pt",
    input:
        trajectories=TRAJECTORIES,
        models=fabi_models_without_ff,
        code=script_code("fabi2020/one_shot.py"),
    params:
        run=script_params("fabi2020"),
        conditions=["ablation"],
    threads: FABI["threads"]
    resources:
        gpu=FABI_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("fabi2020_one_shot_without_ff", "scale"),
    benchmark:
        job_benchmark("fabi2020_one_shot_without_ff", "scale"),
    script:
        "../scripts/fabi2020/one_shot.py"


rule fabi2020_one_shot:
    """One-shot inference (section 2/3.1) of all novel letters x conditions x seeds, batched."""
    output:
        f"{FABI_MODELS}/one_shot.pt",
    input:
        trajectories=TRAJECTORIES,
        models=fabi_models,
        code=script_code("fabi2020/one_shot.py"),
    params:
        run=script_params("fabi2020"),
    threads: FABI["threads"]
    resources:
        gpu=FABI_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("fabi2020_one_shot", "scale"),
    benchmark:
        job_benchmark("fabi2020_one_shot", "scale"),
    script:
        "../scripts/fabi2020/one_shot.py"


rule fabi2020_type_inference:
    """Type inference (section 3.3), protocols (a) and (b), all instances and seeds batched."""
    output:
        f"{FABI_MODELS}/type_inference.pt",
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/type_inference.py"),
    params:
        run=script_params("fabi2020"),
    threads: FABI["threads"]
    resources:
        gpu=FABI_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("fabi2020_type_inference", "scale"),
    benchmark:
        job_benchmark("fabi2020_type_inference", "scale"),
    script:
        "../scripts/fabi2020/type_inference.py"


rule fabi2020_fig2:
    output:
        report(
            f"{FABI_RESULTS}/fig2_free_generation.png",
            caption="../report/fabi2020/fig2_free_generation.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 2",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/fig2_free_generation.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_fig2", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig2", "scale"),
    script:
        "../scripts/fabi2020/fig2_free_generation.py"


rule fabi2020_table_one_shot:
    output:
        report(
            f"{FABI_RESULTS}/table_one_shot.csv",
            caption="../report/fabi2020/table_one_shot.rst",
            category="Fabi et al. 2020",
            subcategory="table one shot",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/table_one_shot.py"),
    params:
        run=script_params("fabi2020"),
        conditions=["one_shot", "no_inference", "untrained"],
    log:
        job_log("fabi2020_table_one_shot", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_one_shot", "scale"),
    script:
        "../scripts/fabi2020/table_one_shot.py"


rule fabi2020_table_ablation:
    output:
        report(
            f"{FABI_RESULTS}/table_ablation.csv",
            caption="../report/fabi2020/table_ablation.rst",
            category="Fabi et al. 2020",
            subcategory="table ablation",
        ),
    input:
        **FABI_INPUTS,
        without_ff=f"{FABI_MODELS}/one_shot_without_ff.pt",
        code=script_code("fabi2020/table_one_shot.py"),
    params:
        run=script_params("fabi2020"),
        conditions=["one_shot", "ablation", "without_ff", "no_inference"],
    log:
        job_log("fabi2020_table_ablation", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_ablation", "scale"),
    script:
        "../scripts/fabi2020/table_one_shot.py"


rule fabi2020_fig3:
    output:
        report(
            f"{FABI_RESULTS}/fig3_variants.png",
            caption="../report/fabi2020/fig3_variants.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 3",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/fig3_variants.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_fig3", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig3", "scale"),
    script:
        "../scripts/fabi2020/fig3_variants.py"


rule fabi2020_table_variants:
    output:
        report(
            f"{FABI_RESULTS}/table_variants.csv",
            caption="../report/fabi2020/table_variants.rst",
            category="Fabi et al. 2020",
            subcategory="table variants",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/table_variants.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_table_variants", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_variants", "scale"),
    script:
        "../scripts/fabi2020/table_variants.py"


rule fabi2020_fig4:
    output:
        report(
            f"{FABI_RESULTS}/fig4_type_inference.png",
            caption="../report/fabi2020/fig4_type_inference.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 4",
        ),
    input:
        trajectories=TRAJECTORIES,
        type_inference=f"{FABI_MODELS}/type_inference.pt",
        code=script_code("fabi2020/fig4_type_inference.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_fig4", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig4", "scale"),
    script:
        "../scripts/fabi2020/fig4_type_inference.py"


rule fabi2020_table_type_inference:
    output:
        table=report(
            f"{FABI_RESULTS}/table_type_inference.csv",
            caption="../report/fabi2020/table_type_inference.rst",
            category="Fabi et al. 2020",
            subcategory="table type inference",
        ),
        confusion=report(
            f"{FABI_RESULTS}/confusion_type_inference.csv",
            caption="../report/fabi2020/confusion_type_inference.rst",
            category="Fabi et al. 2020",
            subcategory="confusion type inference",
        ),
    input:
        type_inference=f"{FABI_MODELS}/type_inference.pt",
        code=script_code("fabi2020/table_type_inference.py"),
    log:
        job_log("fabi2020_table_type_inference", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_type_inference", "scale"),
    script:
        "../scripts/fabi2020/table_type_inference.py"


rule fabi2020_fig5:
    output:
        report(
            f"{FABI_RESULTS}/fig5_blending.png",
            caption="../report/fabi2020/fig5_blending.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 5",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/fig5_blending.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_fig5", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig5", "scale"),
    script:
        "../scripts/fabi2020/fig5_blending.py"


rule fabi2020_table_blending:
    output:
        report(
            f"{FABI_RESULTS}/table_blending.csv",
            caption="../report/fabi2020/table_blending.rst",
            category="Fabi et al. 2020",
            subcategory="table blending",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/table_blending.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_table_blending", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_blending", "scale"),
    script:
        "../scripts/fabi2020/table_blending.py"


rule fabi2020_fig6:
    output:
        report(
            f"{FABI_RESULTS}/fig6_cell_states.png",
            caption="../report/fabi2020/fig6_cell_states.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 6",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/fig_states.py"),
    params:
        run=script_params("fabi2020"),
        which="cell",
    log:
        job_log("fabi2020_fig6", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig6", "scale"),
    script:
        "../scripts/fabi2020/fig_states.py"


rule fabi2020_fig7:
    output:
        report(
            f"{FABI_RESULTS}/fig7_hidden_states.png",
            caption="../report/fabi2020/fig7_hidden_states.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 7",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/fig_states.py"),
    params:
        run=script_params("fabi2020"),
        which="hidden",
    log:
        job_log("fabi2020_fig7", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig7", "scale"),
    script:
        "../scripts/fabi2020/fig_states.py"


rule fabi2020_table_hidden_states:
    """Shared state sub-patterns (section 3.5): each named pair's similarity among all novel pairs."""
    output:
        report(
            f"{FABI_RESULTS}/table_hidden_states.csv",
            caption="../report/fabi2020/table_hidden_states.rst",
            category="Fabi et al. 2020",
            subcategory="table hidden states",
        ),
    input:
        **FABI_INPUTS,
        code=script_code("fabi2020/table_hidden_states.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_table_hidden_states", "scale"),
    benchmark:
        job_benchmark("fabi2020_table_hidden_states", "scale"),
    script:
        "../scripts/fabi2020/table_hidden_states.py"


rule fabi2020_fig_variant_band:
    """Novelty and recognition of the noise variants against the noise SD, with the claim's band."""
    output:
        report(
            f"{FABI_RESULTS}/fig3_variant_band.png",
            caption="../report/fabi2020/fig3_variant_band.rst",
            category="Fabi et al. 2020",
            subcategory="Fig. 3",
        ),
    input:
        table=f"{FABI_RESULTS}/table_variants.csv",
        code=script_code("fabi2020/fig3_variant_band.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_fig_variant_band", "scale"),
    benchmark:
        job_benchmark("fabi2020_fig_variant_band", "scale"),
    script:
        "../scripts/fabi2020/fig3_variant_band.py"


rule fabi2020_claims:
    """Summary table of the paper's claims with our outcome, and the stage's metrics."""
    output:
        table=report(
            f"{FABI_RESULTS}/claims.csv",
            caption="../report/fabi2020/claims.rst",
            category="Fabi et al. 2020",
            subcategory="claims",
        ),
        metrics=f"{FABI_RESULTS}/metrics.json",
    input:
        models=fabi_models,
        one_shot=f"{FABI_MODELS}/one_shot.pt",
        type_inference=f"{FABI_MODELS}/type_inference.pt",
        one_shot_table=f"{FABI_RESULTS}/table_one_shot.csv",
        ablation_table=f"{FABI_RESULTS}/table_ablation.csv",
        variants_table=f"{FABI_RESULTS}/table_variants.csv",
        type_table=f"{FABI_RESULTS}/table_type_inference.csv",
        blending_table=f"{FABI_RESULTS}/table_blending.csv",
        hidden_states_table=f"{FABI_RESULTS}/table_hidden_states.csv",
        models_without_ff=fabi_models_without_ff,
        code=script_code("fabi2020/claims.py"),
    params:
        run=script_params("fabi2020"),
    log:
        job_log("fabi2020_claims", "scale"),
    benchmark:
        job_benchmark("fabi2020_claims", "scale"),
    script:
        "../scripts/fabi2020/claims.py"


rule fabi2020_learning_curves:
    """Training loss of every seed (a DVC plot)."""
    output:
        table=f"{FABI_RESULTS}/learning_curves.csv",
        figure=report(
            f"{FABI_RESULTS}/learning_curves.png",
            caption="../report/fabi2020/learning_curves.rst",
            category="Fabi et al. 2020",
            subcategory="learning curves",
        ),
    input:
        models=fabi_models,
        code=script_code("fabi2020/learning_curves.py"),
    log:
        job_log("fabi2020_learning_curves", "scale"),
    benchmark:
        job_benchmark("fabi2020_learning_curves", "scale"),
    script:
        "../scripts/fabi2020/learning_curves.py"
