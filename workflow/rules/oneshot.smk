# One-shot classification on shared episodes (Lake et al. 2015; Feinman & Lake 2021, Table 2):
# one episode set for every model, one leaderboard. A model joins by a rule that writes
# results/oneshot/{scale}/<model>.csv and .json and an entry in params oneshot.models.

OS = P["oneshot"]
OS_RESULTS = "results/oneshot/{scale}"
OS_EPISODES = "data/episodes/{scale}"
OS_RUNS = [f"run{r:02d}" for r in range(1, OS["n_runs"] + 1)]  # official: 20
GNS_CLASSIFY = "data/models/gns2021/{scale}/classify"
wildcard_constraints:
    episode="run[0-9]+",
    direction="forward|reverse",




def classify_fit_params():
    """What a parse-and-fit job reads: the parser's and the fit's settings and, of the classification
    settings, K and the fit's iteration count - so that sizing or changing the refits reuses the fits."""
    run = section_params("gns2021", "device", "fit", "parsing")
    run["gns2021"]["classify"] = {k: P["gns2021"]["classify"][k] for k in ("k", "fit_iterations")}
    return run


rule oneshot_episodes:
    """The episode set every model is scored on: the official runs, or runs generated from the
    alphabets no model trained on (same format, same loader)."""
    output:
        directory(OS_EPISODES),
    input:
        dataset=DATASET,
        code=script_code("oneshot/episodes.py"),
    params:
        run=section_params("oneshot", "episodes", "n_runs", "n_way", extra=("data",)),
    log:
        job_log("oneshot_episodes", "scale"),
    benchmark:
        job_benchmark("oneshot_episodes", "scale"),
    script:
        "../scripts/oneshot/episodes.py"


rule oneshot_mhd:
    """The modified Hausdorff baseline of the Omniglot demo on every episode."""
    output:
        runs=f"{OS_RESULTS}/mhd.csv",
        info=f"{OS_RESULTS}/mhd.json",
    input:
        episodes=OS_EPISODES,
        code=script_code("oneshot/mhd.py"),
    params:
        run=script_params(),
    log:
        job_log("oneshot_mhd", "scale"),
    benchmark:
        job_benchmark("oneshot_mhd", "scale"),
    script:
        "../scripts/oneshot/mhd.py"


rule oneshot_protonet_train:
    """The prototypical network (Snell et al. 2017) trained episodically on the background
    characters, early-stopped on validation characters; its learning curve."""
    output:
        model="data/models/oneshot/{scale}/protonet.pt",
        curve=f"{OS_RESULTS}/protonet_learning_curve.csv",
    input:
        dataset=DATASET,
        code=script_code("oneshot/protonet_train.py"),
    params:
        run=section_params("oneshot", "protonet", extra=("data",)),
        checkpoint_dir=lambda wc: f"checkpoints/oneshot/{wc.scale}/protonet",
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("oneshot_protonet_train", "scale"),
    benchmark:
        job_benchmark("oneshot_protonet_train", "scale"),
    script:
        "../scripts/oneshot/protonet_train.py"


rule oneshot_protonet:
    """The prototypical network on every episode: nearest training image in embedding space."""
    output:
        runs=f"{OS_RESULTS}/protonet.csv",
        info=f"{OS_RESULTS}/protonet.json",
    input:
        episodes=OS_EPISODES,
        model="data/models/oneshot/{scale}/protonet.pt",
        code=script_code("oneshot/protonet.py"),
    params:
        run=script_params(),
    threads: 1
    log:
        job_log("oneshot_protonet", "scale"),
    benchmark:
        job_benchmark("oneshot_protonet", "scale"),
    script:
        "../scripts/oneshot/protonet.py"


rule oneshot_leaderboard:
    """Table 2 (paper rows beside ours), the leaderboard of every model here and its figure."""
    output:
        table2=report(
            f"{OS_RESULTS}/table2.csv",
            caption="../report/oneshot/table2.rst",
            category="One-shot classification",
            subcategory="Table 2",
        ),
        per_run=f"{OS_RESULTS}/per_run.csv",
        leaderboard=report(
            f"{OS_RESULTS}/leaderboard.csv",
            caption="../report/oneshot/leaderboard.rst",
            category="One-shot classification",
            subcategory="leaderboard",
        ),
        figure=report(
            f"{OS_RESULTS}/leaderboard.png",
            caption="../report/oneshot/leaderboard_figure.rst",
            category="One-shot classification",
            subcategory="leaderboard",
        ),
        metrics=f"{OS_RESULTS}/oneshot.json",
    input:
        runs=expand(f"{OS_RESULTS}/{{model}}.csv", model=OS["models"], allow_missing=True),
        info=expand(f"{OS_RESULTS}/{{model}}.json", model=OS["models"], allow_missing=True),
        episodes=OS_EPISODES,
        code=script_code("oneshot/leaderboard.py"),
    params:
        run=script_params("oneshot"),
    log:
        job_log("oneshot_leaderboard", "scale"),
    benchmark:
        job_benchmark("oneshot_leaderboard", "scale"),
    script:
        "../scripts/oneshot/leaderboard.py"


rule gns2021_classify_fit:
    """GNS parses of one episode's training and test images, all fitted in one batch."""
    output:
        f"{GNS_CLASSIFY}/{{episode}}_parses.pt",
    input:
        episodes=OS_EPISODES,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("gns2021/classify_fit.py"),
    params:
        run=classify_fit_params(),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_fit", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_fit", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_fit.py"


GNS_SCREEN = P["gns2021"]["classify"]["screen"]  # null: every pair refitted fully (the paper)


def classify_screens(wildcards=None):
    """The screen of each test episode when ``gns2021.classify.screen`` is set, else nothing."""
    if GNS_SCREEN is None:
        return []
    return [f"{GNS_CLASSIFY}/{{episode}}_screen.pt"] if wildcards is None else \
        [f"{GNS_CLASSIFY}/{wildcards.episode}_screen.pt".replace("{scale}", wildcards.scale)]


rule gns2021_classify_screen:
    """The screen of one episode (gns2021.classify.screen): every pair of both directions refitted
    for a few iterations; each test item's best classes by the two-way score are kept."""
    output:
        f"{GNS_CLASSIFY}/{{episode}}_screen.pt",
    input:
        episodes=OS_EPISODES,
        parses=f"{GNS_CLASSIFY}/{{episode}}_parses.pt",
        code=script_code("gns2021/classify_screen.py"),
    params:
        run=section_params("gns2021", "device", "classify"),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_screen", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_screen", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_screen.py"


rule gns2021_classify_refit:
    """Every parse of one side of an episode refitted to every image of the other side (one batch):
    forward = training parses to test images, reverse = test parses to training images; with a
    screen, only the pairs of the classes it kept."""
    output:
        f"{GNS_CLASSIFY}/{{episode}}_{{direction}}.pt",
    input:
        episodes=OS_EPISODES,
        parses=f"{GNS_CLASSIFY}/{{episode}}_parses.pt",
        screen=classify_screens,
        code=script_code("gns2021/classify_refit.py"),
        # the screen's script and code at every scale (so one dvc.yaml serves them all): with
        # gns2021.classify.screen set, the refits read the screen's output
        screen_code=[str(Path(workflow.basedir) / "workflow/scripts/gns2021/classify_screen.py"),
                     *script_code("gns2021/classify_screen.py")],
    params:
        run=section_params("gns2021", "device", "classify"),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_refit", "scale", "episode", "direction"),
    benchmark:
        job_benchmark("gns2021_classify_refit", "scale", "episode", "direction"),
    script:
        "../scripts/gns2021/classify_refit.py"


GNS_SIZING_EPISODES = "data/episodes_validation/{scale}"
GNS_SIZING_RUNS = [f"run{r:02d}" for r in range(1, P["gns2021"]["classify"]["sizing"]["n_runs"] + 1)]


def classify_sizing_run_params():
    """What a validation episode's sizing job reads: the fit's settings and the sizing grid, not the
    refit rate and count the params chose from it (so that choosing does not rerun the sizing)."""
    run = section_params("gns2021", "device", "fit", "parsing")
    cp = P["gns2021"]["classify"]
    sizing = {k: v for k, v in cp["sizing"].items() if k != "convergence"}
    run["gns2021"]["classify"] = {"k": cp["k"], "fit_iterations": cp["fit_iterations"], "sizing": sizing,
                                  "refit": {k: v for k, v in cp["refit"].items() if k not in ("iterations", "lr_render")}}
    run["preprocess"] = {"splines": P["preprocess"]["splines"]}  # the oracle parses' minimal splines
    return run


rule gns2021_sizing_episodes:
    """Validation episodes for sizing GNS classification: generated like the test set's, from the
    background alphabets (no test alphabet is looked at)."""
    output:
        directory(GNS_SIZING_EPISODES),
    input:
        dataset=DATASET,
        code=script_code("gns2021/sizing_episodes.py"),
    params:
        run=script_params("data", "oneshot"),
        episodes={k: P["gns2021"]["classify"]["sizing"][k] for k in ("n_runs", "seed_offset")},
    log:
        job_log("gns2021_sizing_episodes", "scale"),
    benchmark:
        job_benchmark("gns2021_sizing_episodes", "scale"),
    script:
        "../scripts/gns2021/sizing_episodes.py"


rule gns2021_classify_sizing_run:
    """One validation episode parsed, fitted and refitted at every sized refit rate and count."""
    output:
        f"{GNS_CLASSIFY}/sizing/{{episode}}.pt",
    input:
        episodes=GNS_SIZING_EPISODES,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("gns2021/classify_sizing_run.py"),
    params:
        run=classify_sizing_run_params(),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_sizing_run", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_sizing_run", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_sizing_run.py"


GNS_SCREENING_EPISODES = "data/episodes_screening/{scale}"
GNS_SCREENING_RUNS = [f"run{r:02d}" for r in range(1, P["gns2021"]["classify"]["screening"]["n_runs"] + 1)]


def classify_screening_params(long_run: bool):
    """What a screening job reads: the fit's and the refits' settings and the screening's, the long
    run's screen only where it is used (so that choosing it does not rerun the full refits)."""
    run = section_params("gns2021", "device", "fit", "parsing")
    cp = P["gns2021"]["classify"]
    sc = cp["screening"] if long_run else {k: v for k, v in cp["screening"].items() if k != "long_run"}
    run["gns2021"]["classify"] = {"k": cp["k"], "fit_iterations": cp["fit_iterations"], "screening": sc,
                                  "refit": {k: v for k, v in cp["refit"].items() if k != "iterations"}}
    return run


rule gns2021_screening_episodes:
    """Validation episodes for the refit screening: generated as the sizing's (same seed, so the
    first ones are the sizing's), from the background alphabets."""
    output:
        directory(GNS_SCREENING_EPISODES),
    input:
        dataset=DATASET,
        code=script_code("gns2021/sizing_episodes.py"),
    params:
        run=script_params("data", "oneshot"),
        episodes={"n_runs": P["gns2021"]["classify"]["screening"]["n_runs"],
                  "seed_offset": P["gns2021"]["classify"]["sizing"]["seed_offset"]},
    log:
        job_log("gns2021_screening_episodes", "scale"),
    benchmark:
        job_benchmark("gns2021_screening_episodes", "scale"),
    script:
        "../scripts/gns2021/sizing_episodes.py"


rule gns2021_classify_screen_run:
    """One validation episode parsed, fitted and every pair refitted for the screening's check count."""
    output:
        f"{GNS_CLASSIFY}/screening/{{episode}}.pt",
    input:
        episodes=GNS_SCREENING_EPISODES,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("gns2021/classify_screen_run.py"),
    params:
        run=classify_screening_params(long_run=False),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_screen_run", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_screen_run", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_screen_run.py"


rule gns2021_classify_screen_long:
    """The pairs one screen keeps on one validation episode, refitted toward the paper's count."""
    output:
        f"{GNS_CLASSIFY}/screening/{{episode}}_long.pt",
    input:
        screened=f"{GNS_CLASSIFY}/screening/{{episode}}.pt",
        code=script_code("gns2021/classify_screen_long.py"),
    params:
        run=classify_screening_params(long_run=True),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_screen_long", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_screen_long", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_screen_long.py"


rule gns2021_classify_screening:
    """Screened refits checked on the validation episodes: winners kept, decisions changed, cost, and
    the screened error curve toward the paper's refit count with the convergence verdicts."""
    output:
        screens=report(
            f"{OS_RESULTS}/gns_refit_screening.csv",
            caption="../report/oneshot/gns_refit_screening.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
        curve=report(
            f"{OS_RESULTS}/gns_refit_screening_curve.csv",
            caption="../report/oneshot/gns_refit_screening.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
        metrics=f"{OS_RESULTS}/gns_refit_screening.json",
    input:
        screened=expand(f"{GNS_CLASSIFY}/screening/{{episode}}.pt", episode=GNS_SCREENING_RUNS, allow_missing=True),
        long=expand(f"{GNS_CLASSIFY}/screening/{{episode}}_long.pt", episode=GNS_SCREENING_RUNS, allow_missing=True),
        code=script_code("gns2021/classify_screening.py"),
    params:
        run=section_params("gns2021", "classify"),
    log:
        job_log("gns2021_classify_screening", "scale"),
    benchmark:
        job_benchmark("gns2021_classify_screening", "scale"),
    script:
        "../scripts/gns2021/classify_screening.py"


def classify_convergence_run_params():
    """The sizing job's settings with the convergence check's grid: one refit rate, long counts."""
    run = classify_sizing_run_params()
    sz = run["gns2021"]["classify"]["sizing"]
    check = P["gns2021"]["classify"]["sizing"]["convergence"]
    run["gns2021"]["classify"]["sizing"] = {**sz, "lr_render": [check["lr_render"]], "record_at": check["record_at"],
                                            "oracle_lr_render": None}
    return run


rule gns2021_classify_convergence_run:
    """One validation episode refitted at the convergence check's rate for up to its longest count."""
    output:
        f"{GNS_CLASSIFY}/convergence/{{episode}}.pt",
    input:
        episodes=GNS_SIZING_EPISODES,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("gns2021/classify_sizing_run.py"),
    params:
        run=classify_convergence_run_params(),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_classify_convergence_run", "scale", "episode"),
    benchmark:
        job_benchmark("gns2021_classify_convergence_run", "scale", "episode"),
    script:
        "../scripts/gns2021/classify_sizing_run.py"


rule gns2021_classify_convergence:
    """Whether the params' refit count has converged: its validation error against the longest count's."""
    output:
        report(
            f"{OS_RESULTS}/gns_refit_convergence.json",
            caption="../report/oneshot/gns_refit_convergence.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
    input:
        runs=expand(f"{GNS_CLASSIFY}/convergence/{{episode}}.pt", episode=GNS_SIZING_RUNS, allow_missing=True),
        code=script_code("gns2021/classify_convergence.py"),
    params:
        run=section_params("gns2021", "classify"),
    log:
        job_log("gns2021_classify_convergence", "scale"),
    benchmark:
        job_benchmark("gns2021_classify_convergence", "scale"),
    script:
        "../scripts/gns2021/classify_convergence.py"


rule gns2021_classify_sizing:
    """The refit rate and iteration count chosen on the validation episodes, with every setting's
    error and its paired difference to the params' setting."""
    output:
        per_run=f"{OS_RESULTS}/gns_refit_sizing_per_run.csv",
        curve=report(
            f"{OS_RESULTS}/gns_refit_sizing.csv",
            caption="../report/oneshot/gns_refit_sizing.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
        metrics=f"{OS_RESULTS}/gns_refit_sizing.json",
    input:
        runs=expand(f"{GNS_CLASSIFY}/sizing/{{episode}}.pt", episode=GNS_SIZING_RUNS, allow_missing=True),
        code=script_code("gns2021/classify_sizing.py"),
    params:
        run=section_params("gns2021", "classify", "parsing", "fit", extra=("oneshot",)),
    log:
        job_log("gns2021_classify_sizing", "scale"),
    benchmark:
        job_benchmark("gns2021_classify_sizing", "scale"),
    script:
        "../scripts/gns2021/classify_sizing.py"


rule oneshot_gns_sizing_figure:
    """Validation error against refit iterations, one line per refit rate of blur and eps."""
    output:
        report(
            f"{OS_RESULTS}/gns_refit_sizing.png",
            caption="../report/oneshot/gns_refit_sizing_figure.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
    input:
        curve=f"{OS_RESULTS}/gns_refit_sizing.csv",
        metrics=f"{OS_RESULTS}/gns_refit_sizing.json",
        code=script_code("oneshot/gns_sizing_figure.py"),
    params:
        run=script_params(),
    log:
        job_log("oneshot_gns_sizing_figure", "scale"),
    benchmark:
        job_benchmark("oneshot_gns_sizing_figure", "scale"),
    script:
        "../scripts/oneshot/gns_sizing_figure.py"


rule oneshot_gns_error_budget:
    """Where the validation error goes: one factor changed at a time from the params' setting."""
    output:
        table=report(
            f"{OS_RESULTS}/gns_error_budget.csv",
            caption="../report/oneshot/gns_error_budget.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
        figure=report(
            f"{OS_RESULTS}/gns_error_budget.png",
            caption="../report/oneshot/gns_error_budget.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
    input:
        curve=f"{OS_RESULTS}/gns_refit_sizing.csv",
        metrics=f"{OS_RESULTS}/gns_refit_sizing.json",
        screening_curve=f"{OS_RESULTS}/gns_refit_screening_curve.csv",
        screening_metrics=f"{OS_RESULTS}/gns_refit_screening.json",
        code=script_code("oneshot/gns_error_budget.py"),
    params:
        run=script_params(),
    log:
        job_log("oneshot_gns_error_budget", "scale"),
    benchmark:
        job_benchmark("oneshot_gns_error_budget", "scale"),
    script:
        "../scripts/oneshot/gns_error_budget.py"


rule oneshot_gns:
    """GNS one-shot errors per run, two-way (Eq. 5) and forward only (Eq. 4), and the cost curve."""
    output:
        two_way=f"{OS_RESULTS}/gns.csv",
        two_way_info=f"{OS_RESULTS}/gns.json",
        forward=f"{OS_RESULTS}/gns_forward.csv",
        forward_info=f"{OS_RESULTS}/gns_forward.json",
        cost=report(
            f"{OS_RESULTS}/gns_cost_curve.csv",
            caption="../report/oneshot/gns_cost_curve.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
    input:
        episodes=OS_EPISODES,
        parses=expand(f"{GNS_CLASSIFY}/{{episode}}_parses.pt", episode=OS_RUNS, allow_missing=True),
        refits=expand(f"{GNS_CLASSIFY}/{{episode}}_{{direction}}.pt", episode=OS_RUNS,
                      direction=["forward", "reverse"], allow_missing=True),
        screens=expand(classify_screens(), episode=OS_RUNS, allow_missing=True),
        code=script_code("oneshot/gns.py"),
    params:
        run=section_params("gns2021", "classify", "parsing"),
        runs=OS_RUNS,
    log:
        job_log("oneshot_gns", "scale"),
    benchmark:
        job_benchmark("oneshot_gns", "scale"),
    script:
        "../scripts/oneshot/gns.py"


rule oneshot_gns_cost_figure:
    """What speed costs GNS: error against refit iterations and parses kept, from the cost curve."""
    output:
        report(
            f"{OS_RESULTS}/gns_cost_curve.png",
            caption="../report/oneshot/gns_cost_curve.rst",
            category="One-shot classification",
            subcategory="GNS cost",
        ),
    input:
        cost=f"{OS_RESULTS}/gns_cost_curve.csv",
        code=script_code("oneshot/gns_cost_figure.py"),
    params:
        run=script_params(),
    log:
        job_log("oneshot_gns_cost_figure", "scale"),
    benchmark:
        job_benchmark("oneshot_gns_cost_figure", "scale"),
    script:
        "../scripts/oneshot/gns_cost_figure.py"


rule oneshot_gns_fig_a10:
    """Fig. A10: GNS classification fits of correct and misclassified trials, with two-way scores."""
    output:
        report(
            f"{OS_RESULTS}/gns_fig_a10.png",
            caption="../report/oneshot/gns_fig_a10.rst",
            category="One-shot classification",
            subcategory="GNS fits",
        ),
    input:
        episodes=OS_EPISODES,
        parses=expand(f"{GNS_CLASSIFY}/{{episode}}_parses.pt", episode=OS_RUNS, allow_missing=True),
        refits=expand(f"{GNS_CLASSIFY}/{{episode}}_{{direction}}.pt", episode=OS_RUNS,
                      direction=["forward", "reverse"], allow_missing=True),
        screens=expand(classify_screens(), episode=OS_RUNS, allow_missing=True),
        code=script_code("oneshot/gns_fig_a10.py"),
    params:
        run=section_params("gns2021", "classify"),
        runs=OS_RUNS,
    log:
        job_log("oneshot_gns_fig_a10", "scale"),
    benchmark:
        job_benchmark("oneshot_gns_fig_a10", "scale"),
    script:
        "../scripts/oneshot/gns_fig_a10.py"
