"""Write tests/data/reference_fingerprint.json and tests/data/resolution_fingerprint.json from
the checked reference renderings.

    python scripts/make_fingerprint.py [--reference-dir ../shared/treaty_text]

Run it when the reference renderings change; the tests compare the PDF reader's output with
the file it writes (and, where the renderings are at hand, the file with the renderings).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.treaty.fingerprint import resolution_fingerprint, treaty_fingerprint
from bot.treaty.instruments import parse_resolution, validate_resolution
from bot.treaty.parsing import parse_treaty_text, validate

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "tests" / "data" / "reference_fingerprint.json"
CONVENTION = "un_cybercrime_convention.en.txt"
NOTES = "un_cybercrime_convention_interpretative_notes.en.txt"
RESOLUTION_OUTPUT = REPO_ROOT / "tests" / "data" / "resolution_fingerprint.json"
RESOLUTION = "un_ga_resolution_79_243.en.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference-dir", type=Path, default=REPO_ROOT.parent / "shared" / "treaty_text"
    )
    args = parser.parse_args()
    text = "\n\n".join(
        (args.reference_dir / name).read_text(encoding="utf-8") for name in (CONVENTION, NOTES)
    )
    treaty = parse_treaty_text(text, "reference")
    validate(treaty, text)
    data = {"made_from": [CONVENTION, NOTES], **treaty_fingerprint(treaty)}
    OUTPUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)}")
    resolution = parse_resolution(
        (args.reference_dir / RESOLUTION).read_text(encoding="utf-8"), "reference"
    )
    validate_resolution(resolution)
    data = {"made_from": [RESOLUTION], **resolution_fingerprint(resolution)}
    RESOLUTION_OUTPUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESOLUTION_OUTPUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
