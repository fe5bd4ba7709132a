# Feinman & Lake (2020): Full NS, Hierarchical LSTM and Baseline LSTM generative models.
# canvases (once) -> one training job per (model, task, split, grid config), each early-stopped on
# a validation slice of its training characters -> holdout per model (every config, chosen on
# validation) -> Table 1 and its claims, learning curves; samples of the holdout models -> Figs. 5-8.
# Weights and samples live in data/models/feinman2020/{scale}/; checkpoints in
# checkpoints/feinman2020/{scale}/<run>/ (not an output: a killed job resumes from it).

FL = P["feinman2020"]
FL_MODELS = "data/models/feinman2020/{scale}"
FL_RESULTS = "results/feinman2020/{scale}"
FL_RUNS = f"{FL_RESULTS}/runs"
FL_CANVASES = f"data/processed/feinman2020_canvases_{BACKGROUND}.npy"
FL_GPU = gpus(FL["device"])
FL_NAMES = ["full_ns", "hierarchical_lstm", "baseline_lstm"]
FL_SPLITS = list(range(1, FL["splits"]["n_splits"] + 1))
FL_DATA = dict(splines=SPLINES, dataset=DATASET, canvases=FL_CANVASES)


wildcard_constraints:
    model="|".join(FL_NAMES),
    task="alphabet|character",
    split=r"\d+",
    config=r"\d+",


def fl_split_runs(model, task):
    return [f"{FL_RUNS}/{model}/{task}{s}_c{c}.json".replace("{scale}", SCALE)
            for s in FL_SPLITS for c in range(len(FL["grid"][model]))]


rule feinman2020_canvases:
    """Every partial canvas of every drawing, rendered once (28x28, blur 0.5; facts section 1)."""
    output:
        FL_CANVASES,
    input:
        splines=SPLINES,
        code=script_code("feinman2020/canvases.py"),
    threads: 2
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_canvases"),
    benchmark:
        job_benchmark("feinman2020_canvases"),
    script:
        "../scripts/feinman2020/canvases.py"


rule feinman2020_train:
    """One (model, split, grid configuration): train by maximum likelihood, score the test split."""
    output:
        run=f"{FL_RUNS}/{{model}}/{{task}}{{split}}_c{{config}}.json",
    input:
        **FL_DATA,
        code=script_code("feinman2020/train.py"),
    params:
        run=script_params("data", "feinman2020"),
        checkpoint_dir=lambda wc: f"checkpoints/feinman2020/{wc.scale}/{wc.model}_{wc.task}{wc.split}_c{wc.config}",
        task=lambda wc: wc.task,
    threads: FL["threads"]
    resources:
        gpu=FL_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_train", "scale", "model", "task", "split", "config"),
    benchmark:
        job_benchmark("feinman2020_train", "scale", "model", "task", "split", "config"),
    script:
        "../scripts/feinman2020/train.py"


rule feinman2020_holdout:
    """Holdout: every grid configuration trained on the holdout's training alphabets, the one with
    the best validation NLL kept (validation: its own training characters, never test data)."""
    output:
        run=f"{FL_RUNS}/{{model}}/holdout.json",
        model=f"{FL_MODELS}/{{model}}_holdout.pt",
    input:
        **FL_DATA,
        code=script_code("feinman2020/train.py"),
    params:
        run=script_params("data", "feinman2020"),
        checkpoint_dir=lambda wc: f"checkpoints/feinman2020/{wc.scale}/{wc.model}_holdout",
        task="holdout",
    threads: FL["threads"]
    resources:
        gpu=FL_GPU,
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_holdout", "scale", "model"),
    benchmark:
        job_benchmark("feinman2020_holdout", "scale", "model"),
    script:
        "../scripts/feinman2020/train.py"


FL_ALL_RUNS = [r for m in FL_NAMES for t in ("alphabet", "character") for r in fl_split_runs(m, t)]


rule feinman2020_table1:
    """Table 1 with the paper's numbers; claims rows (ordering per task, holdout t-test over
    characters) whose verdict is "not evidence" when a compared run had not converged."""
    output:
        table=report(
            f"{FL_RESULTS}/table1.csv",
            caption="../report/feinman2020/table1.rst",
            category="Feinman & Lake 2020",
            subcategory="Table 1",
        ),
        claims=report(
            f"{FL_RESULTS}/claims.csv",
            caption="../report/feinman2020/claims.rst",
            category="Feinman & Lake 2020",
            subcategory="claims",
        ),
        metrics=f"{FL_RESULTS}/metrics.json",
    input:
        runs=FL_ALL_RUNS,
        holdouts=expand(f"{FL_RUNS}/{{model}}/holdout.json", model=FL_NAMES, allow_missing=True),
        code=script_code("feinman2020/table1.py"),
    params:
        run=script_params("data", "feinman2020"),
    log:
        job_log("feinman2020_table1", "scale"),
    benchmark:
        job_benchmark("feinman2020_table1", "scale"),
    script:
        "../scripts/feinman2020/table1.py"


rule feinman2020_learning_curves:
    """Train and validation NLL per epoch of every run, as a DVC plot (CSV) and one panel per run."""
    output:
        curves=directory(f"{FL_RESULTS}/learning_curves"),
        figure=report(
            f"{FL_RESULTS}/learning_curves.png",
            caption="../report/feinman2020/learning_curves.rst",
            category="Feinman & Lake 2020",
            subcategory="learning curves",
        ),
    input:
        runs=FL_ALL_RUNS,
        holdouts=expand(f"{FL_RUNS}/{{model}}/holdout.json", model=FL_NAMES, allow_missing=True),
        code=script_code("feinman2020/learning_curves.py"),
    params:
        run=script_params("feinman2020"),
    log:
        job_log("feinman2020_learning_curves", "scale"),
    benchmark:
        job_benchmark("feinman2020_learning_curves", "scale"),
    script:
        "../scripts/feinman2020/learning_curves.py"


rule feinman2020_classifier:
    """CNN classifier on all background (training) characters; its last hidden layer is the metric."""
    output:
        f"{FL_MODELS}/classifier.pt",
    input:
        **FL_DATA,
        code=script_code("feinman2020/classifier.py"),
    params:
        run=script_params("data", "feinman2020"),
    threads: FL["threads"]
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_classifier", "scale"),
    benchmark:
        job_benchmark("feinman2020_classifier", "scale"),
    script:
        "../scripts/feinman2020/classifier.py"


rule feinman2020_samples:
    """Samples of one holdout model at T = 1 and 0.5 (Figs. 5-8)."""
    output:
        f"{FL_MODELS}/samples_{{model}}.pt",
    input:
        model=f"{FL_MODELS}/{{model}}_holdout.pt",
        code=script_code("feinman2020/samples.py"),
    params:
        run=script_params("feinman2020"),
    threads: FL["threads"]
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_samples", "scale", "model"),
    benchmark:
        job_benchmark("feinman2020_samples", "scale", "model"),
    script:
        "../scripts/feinman2020/samples.py"


FL_SAMPLES = expand(f"{FL_MODELS}/samples_{{model}}.pt", model=FL_NAMES, allow_missing=True)


rule feinman2020_sample_statistics:
    """On-canvas share of raw draws, drawing lengths and sample diversity per model and temperature."""
    output:
        table=report(
            f"{FL_RESULTS}/samples.csv",
            caption="../report/feinman2020/samples.rst",
            category="Feinman & Lake 2020",
            subcategory="samples",
        ),
        metrics=f"{FL_RESULTS}/samples.json",
    input:
        classifier=f"{FL_MODELS}/classifier.pt",
        samples=FL_SAMPLES,
        code=script_code("feinman2020/table_samples.py"),
    params:
        run=script_params("feinman2020"),
    threads: FL["threads"]
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_sample_statistics", "scale"),
    benchmark:
        job_benchmark("feinman2020_sample_statistics", "scale"),
    script:
        "../scripts/feinman2020/table_samples.py"


rule feinman2020_fig5:
    output:
        report(
            f"{FL_RESULTS}/fig5_samples.png",
            caption="../report/feinman2020/fig5_samples.rst",
            category="Feinman & Lake 2020",
            subcategory="Fig. 5",
        ),
    input:
        splines=SPLINES,
        dataset=DATASET,
        samples=FL_SAMPLES,
        code=script_code("feinman2020/fig5.py"),
    params:
        run=script_params("feinman2020"),
    log:
        job_log("feinman2020_fig5", "scale"),
    benchmark:
        job_benchmark("feinman2020_fig5", "scale"),
    script:
        "../scripts/feinman2020/fig5.py"


rule feinman2020_fig6:
    output:
        figure=report(
            f"{FL_RESULTS}/fig6_nearest_neighbours.png",
            caption="../report/feinman2020/fig6_nearest_neighbours.rst",
            category="Feinman & Lake 2020",
            subcategory="Fig. 6",
        ),
        table=report(
            f"{FL_RESULTS}/novelty.csv",
            caption="../report/feinman2020/novelty.rst",
            category="Feinman & Lake 2020",
            subcategory="novelty",
        ),
        metrics=f"{FL_RESULTS}/novelty.json",
    input:
        **FL_DATA,
        classifier=f"{FL_MODELS}/classifier.pt",
        samples=FL_SAMPLES,
        code=script_code("feinman2020/fig6.py"),
    params:
        run=script_params("data", "feinman2020"),
    threads: FL["threads"]
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_fig6", "scale"),
    benchmark:
        job_benchmark("feinman2020_fig6", "scale"),
    script:
        "../scripts/feinman2020/fig6.py"


rule feinman2020_fig7:
    output:
        report(
            f"{FL_RESULTS}/fig7_grid.png",
            caption="../report/feinman2020/fig7_grid.rst",
            category="Feinman & Lake 2020",
            subcategory="Fig. 7",
        ),
    input:
        **FL_DATA,
        classifier=f"{FL_MODELS}/classifier.pt",
        samples=f"{FL_MODELS}/samples_full_ns.pt",
        code=script_code("feinman2020/fig7.py"),
    params:
        run=script_params("feinman2020"),
    threads: FL["threads"]
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("feinman2020_fig7", "scale"),
    benchmark:
        job_benchmark("feinman2020_fig7", "scale"),
    script:
        "../scripts/feinman2020/fig7.py"


rule feinman2020_fig8:
    output:
        report(
            f"{FL_RESULTS}/fig8_stroke_colours.png",
            caption="../report/feinman2020/fig8_stroke_colours.rst",
            category="Feinman & Lake 2020",
            subcategory="Fig. 8",
        ),
    input:
        samples=f"{FL_MODELS}/samples_full_ns.pt",
        code=script_code("feinman2020/fig8.py"),
    params:
        run=script_params("feinman2020"),
    log:
        job_log("feinman2020_fig8", "scale"),
    benchmark:
        job_benchmark("feinman2020_fig8", "scale"),
    script:
        "../scripts/feinman2020/fig8.py"

