"""Check that a built HTML report holds every figure and table of workflow/results.yaml.

``python -m charchallenge.report_check results/report/smoke/report.html smoke`` exits 1 and
names what is missing when a result listed as an output (figure or table) of any stage does
not appear in the report; CI runs it on the smoke-scale report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .pipeline import load_results


def missing_results(report_html: str, scale: str, results: dict | None = None) -> list[str]:
    """Outputs (figures, tables) of every stage whose file name the report does not contain."""
    results = results or load_results()
    missing = []
    for stage in results.values():
        for path in stage.get("outputs", []):
            name = Path(path.format(scale=scale, background="")).name
            if name not in report_html:
                missing.append(path.format(scale=scale, background=""))
    return missing


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m charchallenge.report_check REPORT.html SCALE", file=sys.stderr)
        return 2
    path, scale = Path(argv[0]), argv[1]
    if not path.is_file():
        print(f"{path}: no report (build it with `make report`)", file=sys.stderr)
        return 1
    missing = missing_results(path.read_text(errors="replace"), scale)
    if missing:
        print(f"{path}: {len(missing)} results missing from the report: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"{path}: every figure and table of workflow/results.yaml is in the report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
