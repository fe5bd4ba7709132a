# Omniglot acquisition: one rule output per official archive, fetched with pooch and verified
# against the official MD5 sums (charchallenge.data.remote), unpacked atomically, then parsed
# once into the dataset artifact.


wildcard_constraints:
    archive="|".join(archive_names()),
    subset="|".join(DATASETS),


rule fetch_archive:
    """Copy an archive from the mirror (params data.mirror or $OMNIGLOT_MIRROR) or download it."""
    output:
        "data/raw/{archive}.zip",
    input:
        code=script_code("fetch_archive.py"),
    params:
        mirror=P["data"]["mirror"],
    log:
        job_log("fetch_archive", "archive"),
    benchmark:
        job_benchmark("fetch_archive", "archive"),
    script:
        "../scripts/fetch_archive.py"


rule unpack_archive:
    output:
        directory("data/omniglot/{archive}"),
    input:
        "data/raw/{archive}.zip",
        code=script_code("unpack_archive.py"),
    log:
        job_log("unpack_archive", "archive"),
    benchmark:
        job_benchmark("unpack_archive", "archive"),
    script:
        "../scripts/unpack_archive.py"


def _unpacked(kind):
    return lambda wc: [f"data/omniglot/{kind}_{part}" for part in DATASETS[wc.subset]]


rule build_dataset:
    """Parse every stroke file with its aligned image into one compact .npz."""
    output:
        "data/processed/omniglot_{subset}.npz",
    input:
        strokes=_unpacked("strokes"),
        images=_unpacked("images"),
        code=script_code("build_dataset.py"),
    log:
        job_log("build_dataset", "subset"),
    benchmark:
        job_benchmark("build_dataset", "subset"),
    script:
        "../scripts/build_dataset.py"


rule official_runs:
    """The 20 official one-shot classification runs (all_runs.zip), when a target needs them."""
    output:
        "data/omniglot/official_runs.txt",
    input:
        runs="data/omniglot/all_runs",
        code=script_code("check_official_runs.py"),
    log:
        job_log("official_runs"),
    benchmark:
        job_benchmark("official_runs"),
    script:
        "../scripts/check_official_runs.py"
