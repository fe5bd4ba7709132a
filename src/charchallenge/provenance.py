"""Provenance recorded beside every metric: scale, seed, device and library versions."""

from __future__ import annotations

import os
import platform
import random
from importlib import metadata

import numpy as np

LIBRARIES = ("torch", "numpy", "scipy", "pandas", "matplotlib", "snakemake", "dvc")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_description(device: str | None = None) -> str:
    """A short description of the compute device (CPU model or CUDA device name)."""
    if device and device.startswith("cuda"):
        import torch

        return f"{device}: {torch.cuda.get_device_name(torch.device(device))}"
    return f"cpu: {_cpu_model()} ({os.cpu_count()} cores)"


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def provenance(scale: str, seed: int | list[int] | None, device: str | None = "cpu") -> dict:
    return {
        "scale": scale,
        "seed": seed,
        "device": device_description(device),
        "versions": library_versions(),
    }


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (and make torch deterministic where it can be)."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
