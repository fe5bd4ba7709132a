"""The Snakemake DAG and DVC stages: one list of results, validated params, clean failures."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from charchallenge import pipeline
from charchallenge.config import REPO_ROOT

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO_ROOT / "Snakefile"), "--cores", "1",
             "--show-failed-logs"]  # job output goes to its log (charchallenge.joblog), as with the profile


def run_snakemake(workdir: Path, *args: str, mirror: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("OMNIGLOT_MIRROR", None)
    if mirror is not None:
        env["OMNIGLOT_MIRROR"] = str(mirror)
    return subprocess.run([*SNAKEMAKE, "--directory", str(workdir), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_dvc_yaml_is_generated_from_the_results_list():
    assert (REPO_ROOT / "dvc.yaml").read_text() == pipeline.render_dvc_yaml()


def test_every_snakemake_input_of_a_stage_is_among_its_dvc_deps():
    """Deps are derived from Snakemake's plan; re-derived at another scale they are the same
    (templated), so every file a stage's jobs read at smoke scale is a DVC dep of the stage."""
    committed = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["stages"]
    results = pipeline.load_results()
    at_smoke = pipeline.stage_deps(results, scale="smoke")
    for name in results:
        missing = set(at_smoke[name]) - set(committed[name]["deps"])
        assert not missing, (name, sorted(missing)[:5])
    # the DAG is connected: the Fabi stage reads the trajectories that preprocessing writes
    assert "data/processed/trajectories_${data.background}.npz" in committed["fabi2020"]["deps"]
    assert "data/processed/splines_${data.background}.npz" in committed["feinman2020"]["deps"]
    # the overrides of every scale are tracked too, each stage's own: gns2021 tracks its quick
    # settings, the Fabi stage does not
    assert "scales.quick.gns2021" in committed["gns2021"]["params"]
    assert "scales.quick.fabi2020" in committed["fabi2020"]["params"]
    assert not any(p.startswith("scales.") and "gns2021" in p for p in committed["fabi2020"]["params"])


def test_a_stage_tracks_the_overrides_of_its_own_params_at_every_scale():
    scales = {"smoke": {"gns2021": {"fit": {"iterations": 2}}, "preprocess": {"splines": {"n": 1}}},
              "quick": {"gns2021": {"fit": {"iterations": 150}}, "fabi2020": {"seeds": [0]}}, "paper": None}
    assert pipeline.scale_overrides(["scale", "data", "gns2021"], scales) == ["scales.smoke.gns2021",
                                                                              "scales.quick.gns2021"]
    assert pipeline.scale_overrides(["preprocess.trajectories", "preprocess.splines", "fabi2020"], scales) == [
        "scales.smoke.preprocess.splines", "scales.quick.fabi2020"]


def test_every_rule_has_a_log_and_a_benchmark():
    for smk in sorted((REPO_ROOT / "workflow" / "rules").glob("*.smk")):
        blocks = re.split(r"\n(?=rule |    rule:)", smk.read_text())
        for block in blocks[1:]:
            head = block.splitlines()[0]
            assert "\n    log:" in block or "\n        log:" in block, (smk.name, head)
            assert "benchmark:" in block, (smk.name, head)


def test_every_stage_names_its_outputs_and_params():
    stages = pipeline.load_results()
    for name, stage in stages.items():
        assert stage["description"] and stage.get("params"), name
        paths = [p for key in ("artifacts", "outputs", "metrics") for p in stage.get(key, [])]
        assert paths, name
        for path in stage.get("outputs", []) + stage.get("metrics", []):
            assert path.startswith("results/") and "{scale}" in path, path  # scales never overwrite


def test_dry_run_lists_data_preprocessing_and_report_targets(tmp_path, mirror):
    result = run_snakemake(tmp_path, "-n", "--config", "scale=smoke", mirror=mirror)
    assert result.returncode == 0, result.stderr[-2000:]
    plan = result.stdout + result.stderr
    for rule in ("fetch_archive", "unpack_archive", "build_dataset", "build_trajectories",
                 "fit_splines", "spline_table", "splines_figure"):
        assert f"rule {rule}:" in plan, rule
    for stage in pipeline.load_results().values():
        for path in stage.get("outputs", []) + stage.get("metrics", []):
            assert path.format(scale="smoke") in plan, path


@pytest.mark.parametrize("override, key", [("seed=abc", "seed"), ("scale=huge", "scale")])
def test_invalid_config_stops_the_run_naming_the_key(tmp_path, override, key):
    result = run_snakemake(tmp_path, "-n", "--config", override)
    assert result.returncode != 0
    assert f"key '{key}'" in result.stdout + result.stderr


def test_corrupt_mirror_fails_with_checksums_and_leaves_nothing(tmp_path, mirror):
    bad = tmp_path / "bad_mirror"
    bad.mkdir()
    data = bytearray((mirror / "images_background_small1.zip").read_bytes())
    data[-100] ^= 0xFF
    (bad / "images_background_small1.zip").write_bytes(bytes(data))
    work = tmp_path / "work"
    result = run_snakemake(work, "data/raw/images_background_small1.zip", mirror=bad)
    assert result.returncode != 0
    assert "checksum mismatch for images_background_small1.zip" in result.stdout + result.stderr
    assert "expected MD5 e704a628b5459e08445c13499850abc4" in result.stdout + result.stderr
    assert not (work / "data" / "raw").exists() or list((work / "data" / "raw").iterdir()) == []


def test_empty_mirror_names_archive_folder_and_address(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    work = tmp_path / "work"
    result = run_snakemake(work, "data/raw/strokes_background_small2.zip", mirror=empty)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"strokes_background_small2.zip is not in the mirror folder {empty}" in out
    assert "https://github.com/brendenlake/omniglot/raw/ceffff1ba059df9c19f12021b738dd1e0d8dd650/python/strokes_background_small2.zip" in out
    assert not (work / "data" / "raw").exists() or list((work / "data" / "raw").iterdir()) == []


def test_script_jobs_import_the_package_from_this_repositorys_src(tmp_path, mirror):
    """A script job runs the tracked sources, not an installed copy (common.smk puts src/ first on
    PYTHONPATH). Here a decoy charchallenge stands first on PYTHONPATH, as an installed copy
    would; a job that imported it would fail."""
    decoy = tmp_path / "installed" / "charchallenge"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the installed copy of charchallenge was imported')\n")
    work = tmp_path / "work"
    env = {**os.environ, "PYTHONPATH": str(decoy.parent), "OMNIGLOT_MIRROR": str(mirror)}
    result = subprocess.run([*SNAKEMAKE, "--directory", str(work), "data/raw/images_background_small1.zip"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installed copy" not in result.stdout + result.stderr
    assert (work / "data" / "raw" / "images_background_small1.zip").is_file()


def test_a_download_rule_verifies_its_checksum_and_leaves_nothing_on_a_mismatch(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "kmnist").mkdir(parents=True)
    (mirror / "kmnist" / "train-images-idx3-ubyte.gz").write_bytes(b"not the official file")
    work = tmp_path / "work"
    result = run_snakemake(work, "data/raw/kmnist/train-images-idx3-ubyte.gz", mirror=mirror)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "checksum mismatch for kmnist file train-images-idx3-ubyte.gz" in out
    assert "expected MD5 bdb82020997e1d708af4cf47b453dcf7" in out
    assert not (work / "data" / "raw" / "kmnist").exists() or list((work / "data" / "raw" / "kmnist").iterdir()) == []


def test_a_quickdraw_mirror_copy_is_used_only_with_a_pinned_md5(tmp_path):
    import hashlib

    content = b"bitmaps of cars"
    mirror = tmp_path / "mirror"
    (mirror / "quickdraw").mkdir(parents=True)
    (mirror / "quickdraw" / "car.npy").write_bytes(content)
    target = "data/raw/quickdraw/car.npy"
    refused = run_snakemake(tmp_path / "a", target, mirror=mirror)
    assert refused.returncode != 0 and "pin its MD5 in params dood2022.quickdraw.md5" in refused.stdout + refused.stderr
    pins = tmp_path / "pins.yaml"
    pins.write_text(yaml.safe_dump({"dood2022": {"download": {"quickdraw": {"md5": {"car": hashlib.md5(content).hexdigest()}}}}}))
    pinned = run_snakemake(tmp_path / "b", target, "--config", f"overrides={pins}", mirror=mirror)
    assert pinned.returncode == 0, (pinned.stdout + pinned.stderr)[-2000:]
    assert (tmp_path / "b" / target).read_bytes() == content
