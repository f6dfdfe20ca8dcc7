"""Benchmark: size of the Lambda package that ``chalice package`` builds (``make package``).

Lambda takes at most 50 MB zipped (direct upload) and 250 MB unzipped. The
zip is dominated by botocore, which pynamodb pulls in; bundling it (rather
than relying on the runtime's copy) keeps local, CI and Lambda on one pinned
version.

    python -m bench.package_size
"""

from __future__ import annotations

import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from devtools.package import package


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        package("prod", out)
        archive_path = out / "deployment.zip"
        zipped = archive_path.stat().st_size
        by_top: Counter[str] = Counter()
        with zipfile.ZipFile(archive_path) as archive:
            for info in archive.infolist():
                top = info.filename.split("/", 1)[0]
                if top.endswith((".dist-info", ".data")):
                    continue
                by_top[top] += info.file_size
    unzipped = sum(by_top.values())
    largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in by_top.most_common(4))
    return [
        {
            "measure": "Lambda package (deployment.zip), zipped",
            "value": round(zipped / 1e6, 1),
            "unit": "MB",
            "notes": "limit 50 MB for a direct upload",
        },
        {
            "measure": "Lambda package, unzipped",
            "value": round(unzipped / 1e6, 1),
            "unit": "MB",
            "notes": f"limit 250 MB; largest (MB): {largest}",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
