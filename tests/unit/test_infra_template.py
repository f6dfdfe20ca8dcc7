"""infra/resources.json and .chalice/ agree with the code that uses them.

A table added to ``ALL_TABLES`` without its CloudFormation twin, an index
declared differently, or a policy that grants a wildcard fails here, in a
second, before anything is packaged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import settings
from chalicelib.store.models import ALL_TABLES

PROJECT_DIR = Path(__file__).resolve().parents[2]
TEMPLATE = json.loads((PROJECT_DIR / "infra" / "resources.json").read_text())
RESOURCES = TEMPLATE["Resources"]
CONFIG = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
TABLE_NAME = re.compile(r"^award-registry-\$\{Stage\}-(?P<kind>[a-z0-9-]+)$")
BUCKET_NAME = "award-registry-${Stage}-${AWS::AccountId}-${AWS::Region}"
# What a stack resolves the names to; config.py builds the same from TABLE_PREFIX.
GLOBAL_ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]


def _tables() -> dict[str, dict[str, Any]]:
    """Template tables by kind (``keys``, ``awards``, ...)."""
    tables = {}
    for resource in RESOURCES.values():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            name = resource["Properties"]["TableName"]["Fn::Sub"]
            match = TABLE_NAME.match(name)
            assert match, f"table name {name!r} is not award-registry-${{Stage}}-<kind>"
            tables[match["kind"]] = resource["Properties"]
    return tables


def _kind(model: Any) -> str:
    prefix = settings().table_prefix + "-"
    assert model.Meta.table_name.startswith(prefix)
    return model.Meta.table_name[len(prefix) :]


def _keys(key_schema: list[dict[str, str]]) -> dict[str, str]:
    return {k["AttributeName"]: k["KeyType"] for k in key_schema}


def _model_schema(model: Any) -> dict[str, Any]:
    """The schema pynamodb sends to CreateTable (what ``services/setup.py`` creates locally)."""
    schema = model._get_schema()
    indexes = {}
    for index in schema["global_secondary_indexes"]:
        projection = dict(index["projection"])
        if "NonKeyAttributes" in projection:
            projection["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
        indexes[index["index_name"]] = (_keys(index["key_schema"]), projection)
    attributes = schema["attribute_definitions"]
    return {
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in attributes},
        "keys": _keys(schema["key_schema"]),
        "gsis": indexes,
        "lsis": [index["index_name"] for index in schema["local_secondary_indexes"]],
    }


def _template_schema(props: dict[str, Any]) -> dict[str, Any]:
    indexes = {}
    for index in props.get("GlobalSecondaryIndexes", []):
        projection = dict(index["Projection"])
        if "NonKeyAttributes" in projection:
            projection["NonKeyAttributes"] = sorted(projection["NonKeyAttributes"])
        indexes[index["IndexName"]] = (_keys(index["KeySchema"]), projection)
    return {
        "attributes": {
            a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]
        },
        "keys": _keys(props["KeySchema"]),
        "gsis": indexes,
        "lsis": [index["IndexName"] for index in props.get("LocalSecondaryIndexes", [])],
    }


@pytest.mark.parametrize("model", ALL_TABLES, ids=lambda m: m.__name__)
def test_every_table_model_has_its_table_in_the_template_with_the_same_keys_and_indexes(model):
    tables = _tables()
    kind = _kind(model)
    assert kind in tables, f"infra/resources.json has no table award-registry-${{Stage}}-{kind}"
    assert _template_schema(tables[kind]) == _model_schema(model)


def test_the_template_declares_no_table_the_code_does_not_use():
    assert sorted(_tables()) == sorted(_kind(model) for model in ALL_TABLES)


def test_functions_find_the_tables_under_the_prefix_config_py_reads():
    assert GLOBAL_ENV["TABLE_PREFIX"] == {"Fn::Sub": "award-registry-${Stage}"}
    assert settings().table_name("awards") == settings().table_prefix + "-awards"
    assert GLOBAL_ENV["STAGE"] == {"Ref": "Stage"}
    assert GLOBAL_ENV["BUCKET_NAME"] == {"Fn::Sub": BUCKET_NAME}
    assert GLOBAL_ENV["ALERTS_TOPIC_ARN"] == {"Ref": "AlertsTopic"}
    secret = GLOBAL_ENV["SERVER_SECRET"]["Fn::Sub"]
    assert secret.startswith("{{resolve:secretsmanager:${ServerSecret}")


def test_tables_are_on_demand_recoverable_retained_and_protected_in_prod():
    for kind, props in _tables().items():
        resource = next(r for r in RESOURCES.values() if r.get("Properties") is props)
        assert props["BillingMode"] == "PAY_PER_REQUEST", kind
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}, kind
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", kind
    assert TEMPLATE["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_bucket_is_encrypted_versioned_private_and_expires_only_quarantine():
    bucket = RESOURCES["DataBucket"]["Properties"]
    assert bucket["BucketName"] == {"Fn::Sub": BUCKET_NAME}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    expiring = [r for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]
    assert [r["Prefix"] for r in expiring] == ["quarantine/"]
    deny = RESOURCES["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_uploads_under_documents_invoke_the_document_check_function():
    bucket = RESOURCES["DataBucket"]
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Function"] == {"Fn::GetAtt": ["DocumentCheck", "Arn"]}
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "documents/"}]
    permission = RESOURCES["DocumentCheckS3Permission"]["Properties"]
    assert permission["FunctionName"] == {"Fn::GetAtt": ["DocumentCheck", "Arn"]}
    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::" + BUCKET_NAME}
    # S3 checks the permission when the notification is set: it must exist first.
    assert "DocumentCheckS3Permission" in bucket["DependsOn"]


def _gateway_body(response: dict[str, Any]) -> dict[str, Any]:
    template = response["ResponseTemplates"]["application/json"]
    return json.loads(template.replace("$context.error.messageString", '"API Gateway says"'))


@pytest.mark.parametrize(
    ("response_type", "status", "code"),
    [
        ("REQUEST_TOO_LARGE", "413", "payload_too_large"),
        ("THROTTLED", "429", "throttled"),
        ("MISSING_AUTHENTICATION_TOKEN", "404", "not_found"),
        ("DEFAULT_4XX", None, "validation_error"),
        ("DEFAULT_5XX", None, "unavailable"),
    ],
)
def test_errors_api_gateway_answers_itself_use_our_error_shape(response_type, status, code):
    response = RESOURCES["RestAPI"]["Properties"]["GatewayResponses"][response_type]
    assert response.get("StatusCode") == status
    assert _gateway_body(response) == {"error": {"code": code, "message": "API Gateway says"}}


def test_api_is_throttled_per_stage_and_never_logs_bodies():
    settings_ = RESOURCES["RestAPI"]["Properties"]["MethodSettings"]
    default = next(s for s in settings_ if s["ResourcePath"] == "/*")
    assert default["HttpMethod"] == "*"
    assert default["ThrottlingRateLimit"]["Fn::If"][0] == "IsProd"
    assert default["ThrottlingBurstLimit"]["Fn::If"][0] == "IsProd"
    assert default["DataTraceEnabled"] is False
    batch = next(s for s in settings_ if s["ResourcePath"] == "/~1v1~1awards~1batch")
    assert batch["ThrottlingRateLimit"]["Fn::If"][1] < default["ThrottlingRateLimit"]["Fn::If"][1]


def _policy_files() -> dict[str, dict[str, Any]]:
    files = {}
    for name, function in CONFIG.get("lambda_functions", {}).items():
        path = PROJECT_DIR / ".chalice" / function["iam_policy_file"]
        files[name] = json.loads(path.read_text())
    return files


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _references(node: Any) -> set[str]:
    """Logical ids a policy names through Ref, GetAtt or ${X} / ${X.Arn} in Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "Ref" in node:
            found.add(node["Ref"])
        if "Fn::GetAtt" in node:
            found.add(node["Fn::GetAtt"][0])
        if "Fn::Sub" in node:
            for name in re.findall(r"\$\{([^}!]+)\}", node["Fn::Sub"]):
                found.add(name.split(".")[0])
        for value in node.values():
            found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return {name for name in found if not name.startswith("AWS::")}


def test_every_function_has_its_own_least_privilege_policy():
    assert CONFIG["autogen_policy"] is False
    policies = _policy_files()
    assert {"api_handler", "document_check"} <= set(policies)
    for function, policy in policies.items():
        for statement in policy["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            assert statement["Effect"] == "Allow", function
            assert not any("*" in action for action in actions), (function, actions)
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            assert "*" not in resources, (function, actions)
            assert not any(a.startswith("dynamodb:") and "Delete" in a for a in actions)
            assert "dynamodb:Scan" not in actions, function
        texts = _strings(policy)
        assert not any("arn:aws:" in text or "arn:aws-cn:" in text for text in texts), function
        assert _references(policy) <= set(RESOURCES) | set(TEMPLATE["Parameters"]), function
        bucket_arns = [text for text in texts if ":s3:::" in text]
        assert all(
            arn.startswith("arn:${AWS::Partition}:s3:::" + BUCKET_NAME) for arn in bucket_arns
        ), function


def test_stages_local_dev_prod_with_logs_kept_and_names_from_the_stack():
    assert CONFIG["api_gateway_endpoint_type"] == "REGIONAL"
    assert CONFIG["log_retention_in_days"] >= 180
    assert set(CONFIG["stages"]) == {"local", "dev", "prod"}
    local = CONFIG["stages"]["local"]["environment_variables"]
    assert local["POWERTOOLS_TRACE_DISABLED"] == "true"
    for stage in ("dev", "prod"):
        env = CONFIG["stages"][stage].get("environment_variables", {})
        # A value here would override the stack's (SAM Globals lose to function values).
        assert not set(env) & set(GLOBAL_ENV), stage
        assert "log_retention_in_days" not in CONFIG["stages"][stage]


def test_function_errors_alarm_the_administrators_topic():
    alarmed = {}
    for resource in RESOURCES.values():
        if resource.get("Type") == "AWS::CloudWatch::Alarm":
            props = resource["Properties"]
            if props["Dimensions"][0]["Name"] != "FunctionName":
                continue  # e.g. the imports dead-letter queue's depth
            (dimension,) = props["Dimensions"]
            alarmed[dimension["Value"]["Ref"]] = props
    assert {"APIHandler", "DocumentCheck"} <= set(alarmed)
    for props in alarmed.values():
        assert (props["Namespace"], props["MetricName"]) == ("AWS/Lambda", "Errors")
        assert props["AlarmActions"] == [{"Ref": "AlertsTopic"}]


def test_the_api_function_may_reach_every_table():
    """A table added with its model and template entry but no grant would fail only in the cloud."""
    granted = _references(_policy_files()["api_handler"])
    for name, resource in RESOURCES.items():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            assert name in granted, f".chalice/policy-api-handler.json does not grant {name}"
