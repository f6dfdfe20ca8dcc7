"""Build the CloudFormation package and lint it: what ``make package`` and CI run.

    python -m devtools.package --stage prod --out build

``chalice package --merge-template infra/resources.json`` writes ``sam.json``
(functions, API, and everything in the merge template) and
``deployment.zip``; cfn-lint then checks the template for a normal region and
for AWS China. It needs a region and the package index (PyPI), never
credentials. Deploy the result with::

    aws cloudformation package --template-file build/sam.json \\
        --s3-bucket <artifact bucket> --output-template-file build/packaged.json
    aws cloudformation deploy --template-file build/packaged.json \\
        --stack-name award-registry-prod \\
        --parameter-overrides Stage=prod PublicBaseUrl=https://registry.example.cn/api \\
        --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = PROJECT_DIR / "infra" / "resources.json"
LINT_REGIONS = ("us-east-1", "cn-north-1")
# Any region does: the template is partition-neutral (${AWS::Partition}).
PACKAGE_REGION = "cn-north-1"

_CHALICE = "import sys; from chalice.cli import main; sys.exit(main())"
_CFN_LINT = "import sys; from cfnlint.runner import main; sys.exit(main())"


def package(stage: str, out_dir: Path) -> Path:
    """Run ``chalice package`` for ``stage`` into ``out_dir`` (replaced); return the template.

    Raises ``subprocess.CalledProcessError`` (with chalice's output) when packaging fails,
    e.g. a function without its ``iam_policy_file``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", PACKAGE_REGION)}
    env.pop("AWS_ENDPOINT_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-c",
            _CHALICE,
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(MERGE_TEMPLATE),
            str(out_dir),
        ],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out_dir / "sam.json"


def lint(template: Path, regions: tuple[str, ...] = LINT_REGIONS) -> subprocess.CompletedProcess:
    """cfn-lint ``template`` for every region in ``regions``; returncode 0 means clean."""
    return subprocess.run(
        [sys.executable, "-c", _CFN_LINT, "--regions", *regions, "--", str(template)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.package", description=__doc__)
    parser.add_argument("--stage", default="prod", choices=["dev", "prod"])
    parser.add_argument("--out", default="build", type=Path)
    args = parser.parse_args(argv)
    try:
        template = package(args.stage, args.out)
    except subprocess.CalledProcessError as exc:
        print(exc.stdout, exc.stderr, sep="\n", file=sys.stderr)
        return 1
    result = lint(template)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    size = (args.out / "deployment.zip").stat().st_size
    print(f"{template} (stage {args.stage}); deployment.zip {size / 1e6:.1f} MB")
    if result.returncode:
        print(f"cfn-lint failed for {', '.join(LINT_REGIONS)}", file=sys.stderr)
        return result.returncode
    print(f"cfn-lint clean for {', '.join(LINT_REGIONS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
