# The HTML report (`make report`, i.e. `snakemake --report`): every figure and table flagged
# with report() in the paper rule files, plus this provenance table of the run.


def _paper_results(wildcards):
    return [f for f in all_results() if not f.startswith("results/report/")]


rule report_provenance:
    """Scale, seeds, device, library versions and every job's wall time (benchmark files)."""
    output:
        report(
            "results/report/{scale}/provenance.csv",
            caption="../report/provenance.rst",
            category="Provenance",
        ),
    input:
        _paper_results,
        code=script_code("report_provenance.py"),
    params:
        run=script_params("data"),
        seeds={"fabi2020": P["fabi2020"]["seeds"], "feinman2020": P["seed"]},
        benchmarks=lambda wc: f"results/benchmarks/{wc.scale}",
    log:
        job_log("report_provenance", "scale"),
    benchmark:
        job_benchmark("report_provenance", "scale"),
    script:
        "../scripts/report_provenance.py"
