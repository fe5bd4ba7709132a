# Feinman & Lake (2021), GNS: the one-shot challenge model. Type model = the feinman2020 holdout
# Full NS (trained on the background alphabets the evaluation never sees). Today: bottom-up parsing
# of held-out images scored against the human parse (Fig. 3b / A11).

GNS = P["gns2021"]
GNS_RESULTS = "results/gns2021/{scale}"
GNS_MODELS = "data/models/gns2021/{scale}"
GNS_CODE = pkg("gns2021", "feinman2020", "preprocess/splines.py", "render.py", "data/dataset.py", "io.py",
               "progress.py", "joblog.py")


rule gns2021_parsing:
    """Top-K GNS parses of held-out drawings, scored against the human parse with reference rows."""
    output:
        per_image=report(
            f"{GNS_RESULTS}/parsing_per_image.csv",
            caption="../report/gns2021/parsing_per_image.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="parsing",
        ),
        summary=report(
            f"{GNS_RESULTS}/parsing.csv",
            caption="../report/gns2021/parsing.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="parsing",
        ),
        examples=f"{GNS_MODELS}/parsing_examples.pt",
        metrics=f"{GNS_RESULTS}/parsing.json",
    input:
        dataset=DATASET,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=GNS_CODE,
    params:
        run=script_params("data", "gns2021"),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("gns2021_parsing", "scale"),
    benchmark:
        job_benchmark("gns2021_parsing", "scale"),
    script:
        "../scripts/gns2021/parsing.py"


rule gns2021_fig_parses:
    output:
        report(
            f"{GNS_RESULTS}/fig3b_parses.png",
            caption="../report/gns2021/fig3b_parses.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Fig. 3b",
        ),
    input:
        examples=f"{GNS_MODELS}/parsing_examples.pt",
        code=GNS_CODE,
    log:
        job_log("gns2021_fig_parses", "scale"),
    benchmark:
        job_benchmark("gns2021_fig_parses", "scale"),
    script:
        "../scripts/gns2021/fig_parses.py"


rule gns2021_exemplars:
    """Parse, fit and sample 9 new exemplars of each held-out target image (Fig. 4a / A12)."""
    output:
        table=report(
            f"{GNS_RESULTS}/exemplars.csv",
            caption="../report/gns2021/exemplars.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="new exemplars",
        ),
        examples=f"{GNS_MODELS}/exemplars.pt",
        metrics=f"{GNS_RESULTS}/exemplars.json",
    input:
        dataset=DATASET,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=GNS_CODE,
    params:
        run=script_params("data", "gns2021"),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("gns2021_exemplars", "scale"),
    benchmark:
        job_benchmark("gns2021_exemplars", "scale"),
    script:
        "../scripts/gns2021/exemplars.py"


rule gns2021_fig_exemplars:
    output:
        report(
            f"{GNS_RESULTS}/fig4a_exemplars.png",
            caption="../report/gns2021/fig4a_exemplars.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Fig. 4a",
        ),
    input:
        examples=f"{GNS_MODELS}/exemplars.pt",
        code=GNS_CODE,
    log:
        job_log("gns2021_fig_exemplars", "scale"),
    benchmark:
        job_benchmark("gns2021_fig_exemplars", "scale"),
    script:
        "../scripts/gns2021/fig_exemplars.py"
