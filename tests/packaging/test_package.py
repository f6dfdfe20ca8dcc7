"""The deployable artefact: ``chalice package --merge-template`` + cfn-lint, as ``make package``.

Runs the real packaging once per session (it downloads the Lambda wheels from
the package index, which CI reaches) and checks what CloudFormation would get.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from devtools.package import LINT_REGIONS, lint, package

# Never in the Lambda zip: test, lint and local-emulator tools, the backfill client's bar.
TEST_ONLY = ("moto", "pytest", "_pytest", "xdist", "cfnlint", "ruff", "werkzeug", "flask")
TEST_ONLY += ("requests", "tqdm")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package") / "build"
    package("prod", out)
    return out


@pytest.fixture(scope="module")
def template(build: Path) -> dict[str, Any]:
    return json.loads((build / "sam.json").read_text())


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_the_package_passes_cfn_lint_for_aws_and_aws_china(build):
    result = lint(build / "sam.json")
    assert result.returncode == 0, f"cfn-lint {LINT_REGIONS}:\n{result.stdout}{result.stderr}"


def test_every_function_has_a_log_group_kept_at_least_180_days(template):
    functions = _of_type(template, "AWS::Serverless::Function")
    assert {"APIHandler", "DocumentCheck"} <= set(functions)
    kept = {}
    for group in _of_type(template, "AWS::Logs::LogGroup").values():
        name = group["Properties"]["LogGroupName"]["Fn::Sub"]
        if name.startswith("/aws/apigateway/"):
            continue  # the API's access log (test below)
        assert name.startswith("/aws/lambda/${") and name.endswith("}")
        kept[name[len("/aws/lambda/${") : -1]] = group["Properties"]["RetentionInDays"]
    for function in functions:
        assert kept.get(function, 0) >= 180, f"{function} has no log group kept 180 days"


def test_every_function_reads_names_from_the_stack_and_runs_with_its_own_role(template):
    names = set(template["Globals"]["Function"]["Environment"]["Variables"])
    roles = _of_type(template, "AWS::IAM::Role")
    used = set()
    for name, function in _of_type(template, "AWS::Serverless::Function").items():
        properties = function["Properties"]
        own = set(properties.get("Environment", {}).get("Variables", {}))
        assert not own & names, f"{name} overrides the stack's {own & names}"
        role = properties["Role"]["Fn::GetAtt"][0]
        assert role in roles, name
        used.add(role)
    assert len(used) == len(_of_type(template, "AWS::Serverless::Function"))


def test_no_role_grants_a_wildcard_action_or_names_a_partition(template):
    assert '"arn:aws:' not in json.dumps(template)
    for name, role in _of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                assert not any("*" in action for action in actions), (name, actions)


def test_the_api_is_regional_with_limits_and_our_gateway_errors(template):
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["EndpointConfiguration"] == "REGIONAL"
    assert api["MethodSettings"][0]["ResourcePath"] == "/*"
    assert api["GatewayResponses"]["REQUEST_TOO_LARGE"]["StatusCode"] == "413"


def test_the_lambda_zip_holds_the_app_and_no_test_only_packages(build):
    with zipfile.ZipFile(build / "deployment.zip") as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
    assert {"app.py", "chalicelib", "pynamodb", "aws_lambda_powertools", "pydantic"} <= tops
    assert not tops & set(TEST_ONLY), tops & set(TEST_ONLY)
    assert not {"tests", "bench", "devtools", "infra", "backfill"} & tops


def test_every_function_has_reserved_concurrency(template):
    for name, function in _of_type(template, "AWS::Serverless::Function").items():
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        assert isinstance(reserved, int) and reserved >= 1, name


def test_the_api_stage_writes_access_logs_and_the_topic_is_encrypted(template):
    api = template["Resources"]["RestAPI"]
    assert "ApiGatewayAccount" in api["DependsOn"]
    destination = api["Properties"]["AccessLogSetting"]["DestinationArn"]["Fn::Sub"]
    assert destination.endswith("${ApiAccessLogGroup}")
    group = template["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert group["RetentionInDays"] >= 180
    topic = template["Resources"]["AlertsTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlertsTopicKey"}


def test_functions_get_the_secrets_arn_never_its_value(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["SERVER_SECRET_ARN"] == {"Ref": "ServerSecret"}
    assert "SERVER_SECRET" not in variables
    assert "resolve:secretsmanager" not in json.dumps(template)
