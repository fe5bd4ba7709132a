# One-shot classification on shared episodes (Lake et al. 2015; Feinman & Lake 2021, Table 2):
# one episode set for every model, one leaderboard. A model joins by a rule that writes
# results/oneshot/{scale}/<model>.csv and .json and an entry in params oneshot.models.

OS = P["oneshot"]
OS_RESULTS = "results/oneshot/{scale}"
OS_EPISODES = "data/episodes/oneshot"
OS_CODE = pkg("oneshot", "data/episodes.py", "data/dataset.py", "data/archives.py", "feinman2020/splits.py", "io.py",
              "joblog.py")


rule oneshot_episodes:
    """The episode set every model is scored on: the official runs, or runs generated from the
    alphabets no model trained on (same format, same loader)."""
    output:
        directory(OS_EPISODES),
    input:
        dataset=DATASET,
        code=OS_CODE,
    params:
        run=script_params("data", "oneshot"),
    log:
        job_log("oneshot_episodes"),
    benchmark:
        job_benchmark("oneshot_episodes"),
    script:
        "../scripts/oneshot/episodes.py"


rule oneshot_mhd:
    """The modified Hausdorff baseline of the Omniglot demo on every episode."""
    output:
        runs=f"{OS_RESULTS}/mhd.csv",
        info=f"{OS_RESULTS}/mhd.json",
    input:
        episodes=OS_EPISODES,
        code=OS_CODE,
    params:
        run=script_params("oneshot"),
    log:
        job_log("oneshot_mhd", "scale"),
    benchmark:
        job_benchmark("oneshot_mhd", "scale"),
    script:
        "../scripts/oneshot/mhd.py"


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
        code=OS_CODE,
    params:
        run=script_params("oneshot"),
    log:
        job_log("oneshot_leaderboard", "scale"),
    benchmark:
        job_benchmark("oneshot_leaderboard", "scale"),
    script:
        "../scripts/oneshot/leaderboard.py"
