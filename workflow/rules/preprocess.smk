# Preprocessing: trajectories for the Fabi et al. (2020) generator and minimal B-splines for
# the Feinman & Lake models, each saved once per background set; then their report.


rule build_trajectories:
    """(dx, dy, pen, onset) per time step, resampled every preprocess.trajectories.step px."""
    output:
        TRAJECTORIES,
    input:
        dataset=DATASET,
        code=script_code("build_trajectories.py"),
    params:
        step=P["preprocess"]["trajectories"]["step"],
    log:
        job_log("build_trajectories"),
    benchmark:
        job_benchmark("build_trajectories"),
    script:
        "../scripts/build_trajectories.py"


rule fit_splines:
    """Minimal uniform cubic B-spline per stroke (Feinman & Lake 2020, Fig. 2)."""
    output:
        SPLINES,
    input:
        dataset=DATASET,
        code=script_code("fit_splines.py"),
    params:
        splines=P["preprocess"]["splines"],
    log:
        job_log("fit_splines"),
    benchmark:
        job_benchmark("fit_splines"),
    script:
        "../scripts/fit_splines.py"


rule spline_table:
    """Per-alphabet table of control points, residuals and removed strokes, with metrics."""
    output:
        table=report(
            "results/preprocessing/{scale}/spline_table.csv",
            caption="../report/preprocessing/spline_table.rst",
            category="Preprocessing (spine)",
            subcategory="spline table",
        ),
        metrics="results/preprocessing/{scale}/metrics.json",
    input:
        dataset=DATASET,
        splines=SPLINES,
        trajectories=TRAJECTORIES,
        code=script_code("preprocessing/spline_table.py"),
    params:
        run=script_params("data", "preprocess"),
    log:
        job_log("spline_table", "scale"),
    benchmark:
        job_benchmark("spline_table", "scale"),
    script:
        "../scripts/preprocessing/spline_table.py"


rule splines_figure:
    """Raw strokes beside their minimal splines, laid out like CogSci 2020 Fig. 2."""
    output:
        report(
            "results/preprocessing/{scale}/splines_figure.png",
            caption="../report/preprocessing/splines_figure.rst",
            category="Preprocessing (spine)",
            subcategory="splines figure",
        ),
    input:
        dataset=DATASET,
        splines=SPLINES,
        code=script_code("preprocessing/splines_figure.py"),
    params:
        n_drawings=P["preprocess"]["report"]["figure_drawings"],
        seed=P["seed"],
    log:
        job_log("splines_figure", "scale"),
    benchmark:
        job_benchmark("splines_figure", "scale"),
    script:
        "../scripts/preprocessing/splines_figure.py"
