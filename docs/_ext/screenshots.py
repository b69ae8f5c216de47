"""Write the screenshots of the rapor and the city report for the docs (headless Chromium).

Run from the repository root: ``python docs/_ext/screenshots.py``. It writes
the demo city's reports to a temporary folder and saves the top of one rapor
and of the city report as ``docs/_static/rapor.png`` and ``docs/_static/city.png``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pelayanan_eval as pe
from pelayanan_eval import report

STATIC = Path(__file__).resolve().parents[1] / "_static"
SHOTS = {"rapor.png": "rapor/kelurahan-01.html", "city.png": "index.html"}


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("headless Chromium is needed: apt-get install chromium", file=sys.stderr)
        return 1
    city = pe.demo_city()
    evaluation = pe.evaluate(city.rubric, city.observations, units=city.units)
    with tempfile.TemporaryDirectory() as folder:
        out = report.write_reports(evaluation, Path(folder) / "demo", excel=False,
                                   period="Agustus–Oktober 2026", note=city.note)  # fmt: skip
        for name, page in SHOTS.items():
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--window-size=760,1100",
                            f"--screenshot={STATIC / name}", (out / page).as_uri()],
                           check=True, capture_output=True)  # fmt: skip
            print(f"wrote {STATIC / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
