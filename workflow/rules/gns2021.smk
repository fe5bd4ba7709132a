# Feinman & Lake (2021), GNS: the one-shot challenge model. Type model = the feinman2020 holdout
# Full NS (trained on the background alphabets the evaluation never sees). Today: bottom-up parsing
# of held-out images scored against the human parse (Fig. 3b / A11).

GNS = P["gns2021"]
GNS_RESULTS = "results/gns2021/{scale}"
GNS_MODELS = "data/models/gns2021/{scale}"
GNS_GPU = gpus(GNS["device"])  # parsing, fits, refits, the climb, Hessians and AIS run on it
# Each rule's code dependencies are the package modules its script imports (script_code).


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
        code=script_code("gns2021/parsing.py"),
    params:
        run=section_params("gns2021", "device", "parsing", "parse_evaluation", extra=("data",)),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
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
        code=script_code("gns2021/fig_parses.py"),
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
        code=script_code("gns2021/exemplars.py"),
    params:
        run=section_params("gns2021", "device", "exemplars", "fit", "parsing", extra=("data",)),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
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
        code=script_code("gns2021/fig_exemplars.py"),
    log:
        job_log("gns2021_fig_exemplars", "scale"),
    benchmark:
        job_benchmark("gns2021_fig_exemplars", "scale"),
    script:
        "../scripts/gns2021/fig_exemplars.py"


rule gns2021_likelihood:
    """Laplace lower bound on the marginal likelihood of held-out images (Table 3, Appendix D), and
    the fit's loss per iteration (the curve behind the scale's iteration count)."""
    output:
        table3=report(
            f"{GNS_RESULTS}/table3_likelihood.csv",
            caption="../report/gns2021/table3_likelihood.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Table 3",
        ),
        per_image=f"{GNS_RESULTS}/likelihood_per_image.csv",
        per_parse=f"{GNS_RESULTS}/likelihood_per_parse.csv",
        curve=f"{GNS_RESULTS}/fit_curve.csv",
        metrics=f"{GNS_RESULTS}/likelihood.json",
    input:
        dataset=DATASET,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        code=script_code("gns2021/likelihood.py"),
    params:
        run=section_params("gns2021", "device", "fit", "likelihood", "parsing", extra=("data",)),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
        gpu=GNS_GPU,
    log:
        job_log("gns2021_likelihood", "scale"),
    benchmark:
        job_benchmark("gns2021_likelihood", "scale"),
    script:
        "../scripts/gns2021/likelihood.py"


rule gns2021_pixel_vae:
    """The pixel model of Table 3's comparison: a VAE trained on the background drawings."""
    output:
        model=f"{GNS_MODELS}/pixel_vae.pt",
        curve=f"{GNS_RESULTS}/pixel_vae_curve.csv",
    input:
        dataset=DATASET,
        code=script_code("gns2021/pixel_vae.py"),
    params:
        run=section_params("gns2021", "pixel_model", extra=("data",)),
        checkpoint_dir=lambda wc: f"checkpoints/gns2021/{wc.scale}/pixel_vae",
    threads: 1
    log:
        job_log("gns2021_pixel_vae", "scale"),
    benchmark:
        job_benchmark("gns2021_pixel_vae", "scale"),
    script:
        "../scripts/gns2021/pixel_vae.py"


rule gns2021_table3_pixel:
    """Table 3's ordering tested: GNS's bound per pixel against the pixel VAE's on the same images."""
    output:
        table=report(
            f"{GNS_RESULTS}/table3_pixel_models.csv",
            caption="../report/gns2021/table3_pixel_models.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Table 3",
        ),
        metrics=f"{GNS_RESULTS}/pixel_models.json",
    input:
        dataset=DATASET,
        model=f"{GNS_MODELS}/pixel_vae.pt",
        per_image=f"{GNS_RESULTS}/likelihood_per_image.csv",
        metrics=f"{GNS_RESULTS}/likelihood.json",
        code=script_code("gns2021/table3_pixel.py"),
    params:
        run=section_params("gns2021", "pixel_model", extra=("data",)),
    threads: 1
    log:
        job_log("gns2021_table3_pixel", "scale"),
    benchmark:
        job_benchmark("gns2021_table3_pixel", "scale"),
    script:
        "../scripts/gns2021/table3_pixel.py"


rule gns2021_fig_fit_curve:
    output:
        report(
            f"{GNS_RESULTS}/fit_curve.png",
            caption="../report/gns2021/fit_curve.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="fit iterations",
        ),
    input:
        curve=f"{GNS_RESULTS}/fit_curve.csv",
        metrics=f"{GNS_RESULTS}/likelihood.json",
        code=script_code("gns2021/fig_fit_curve.py"),
    log:
        job_log("gns2021_fig_fit_curve", "scale"),
    benchmark:
        job_benchmark("gns2021_fig_fit_curve", "scale"),
    script:
        "../scripts/gns2021/fig_fit_curve.py"


rule gns2021_new_concepts:
    """New concepts from the type prior at T = 0.5 beside their nearest training characters
    (Fig. 4b / A14), with the Feinman study's novelty measure."""
    output:
        table=report(
            f"{GNS_RESULTS}/new_concepts.csv",
            caption="../report/gns2021/new_concepts.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="new concepts",
        ),
        fig4b=report(
            f"{GNS_RESULTS}/fig4b_new_concepts.png",
            caption="../report/gns2021/fig4b_new_concepts.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Fig. 4b",
        ),
        fig_a14=report(
            f"{GNS_RESULTS}/figA14_concepts_neighbours.png",
            caption="../report/gns2021/figA14_concepts_neighbours.rst",
            category="GNS (Feinman & Lake 2021)",
            subcategory="Fig. A14",
        ),
        metrics=f"{GNS_RESULTS}/new_concepts.json",
    input:
        **FL_DATA,
        type_model="data/models/feinman2020/{scale}/full_ns_holdout.pt",
        classifier="data/models/feinman2020/{scale}/classifier.pt",
        code=script_code("gns2021/new_concepts.py"),
    params:
        run=section_params("gns2021", "concepts", extra=("data", "feinman2020")),
    threads: 1
    resources:
        runtime=lambda wc, attempt: LONG_JOB["runtime"] * attempt,
        mem_mb=LONG_JOB["mem_mb"],
    log:
        job_log("gns2021_new_concepts", "scale"),
    benchmark:
        job_benchmark("gns2021_new_concepts", "scale"),
    script:
        "../scripts/gns2021/new_concepts.py"
