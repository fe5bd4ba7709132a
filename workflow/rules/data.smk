# Omniglot acquisition: one rule output per official archive, verified against the official
# MD5 sums, unpacked atomically, then parsed once into the dataset artifact.


wildcard_constraints:
    archive="|".join(archive_names()),
    background="|".join(BACKGROUND_SETS),


rule fetch_archive:
    """Copy an archive from the mirror (params data.mirror or $OMNIGLOT_MIRROR) or download it."""
    output:
        "data/raw/{archive}.zip",
    input:
        pkg("data/archives.py"),
    params:
        mirror=P["data"]["mirror"],
    script:
        "../scripts/fetch_archive.py"


rule unpack_archive:
    output:
        directory("data/omniglot/{archive}"),
    input:
        "data/raw/{archive}.zip",
        pkg("data/archives.py"),
    script:
        "../scripts/unpack_archive.py"


def _background_folders(kind):
    return lambda wc: [f"data/omniglot/{kind}_{part}" for part in BACKGROUND_SETS[wc.background]]


rule build_dataset:
    """Parse every stroke file with its aligned image into one compact .npz."""
    output:
        "data/processed/omniglot_{background}.npz",
    input:
        strokes=_background_folders("strokes"),
        images=_background_folders("images"),
        code=pkg("data"),
    script:
        "../scripts/build_dataset.py"
