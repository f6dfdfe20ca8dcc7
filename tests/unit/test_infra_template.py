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
from chalicelib.domain.messages_zh import CODE_ZH
from chalicelib.store.tables import ALL_TABLES

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
    """The schema pynamodb sends to CreateTable (what ``store/provision.py`` creates locally)."""
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
    # The secret's ARN, never its value (a dynamic reference would put it in plain text).
    assert GLOBAL_ENV["SERVER_SECRET_ARN"] == {"Ref": "ServerSecret"}
    assert "resolve:secretsmanager" not in json.dumps(TEMPLATE)


def test_the_public_address_is_a_required_parameter_of_the_stack():
    """Links come from PUBLIC_BASE_URL only: the deployer must give it (no default)."""
    assert GLOBAL_ENV["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    parameter = TEMPLATE["Parameters"]["PublicBaseUrl"]
    assert "Default" not in parameter
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.match("https://registry.example.cn/api")
    assert pattern.match("https://abc123.execute-api.cn-north-1.amazonaws.com.cn/api")
    for wrong in ("", "registry.example.cn", "https://x.example/api?a=1", "ftp://x.example"):
        assert not pattern.match(wrong), wrong


def test_tables_are_on_demand_recoverable_retained_and_protected_in_prod():
    for kind, props in _tables().items():
        resource = next(r for r in RESOURCES.values() if r.get("Properties") is props)
        assert props["BillingMode"] == "PAY_PER_REQUEST", kind
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}, kind
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", kind
    assert TEMPLATE["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_bucket_is_encrypted_versioned_private_and_expires_quarantine_receipts_and_imports():
    bucket = RESOURCES["DataBucket"]["Properties"]
    assert bucket["BucketName"] == {"Fn::Sub": BUCKET_NAME}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    rules = bucket["LifecycleConfiguration"]["Rules"]
    expiring = [r for r in rules if "ExpirationInDays" in r]
    assert {r["Prefix"]: r["ExpirationInDays"] for r in expiring} == {
        "quarantine/": 180,
        "receipts/": 1827,  # signed receipts are kept 5 years (issue 14)
        "imports/": 2,  # an import's upload and chunks: deleted when it ends, else expire
    }
    # Issue 19: no version of an import's objects outlives a day or two, markers neither.
    imports = [r for r in rules if r.get("Prefix") == "imports/"]
    assert any(r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") == 1 for r in imports)
    assert any(r.get("ExpiredObjectDeleteMarker") is True for r in imports)
    # A rejected upload moved out of documents/ leaves a noncurrent version behind its
    # delete marker (services/documents.py): those versions expire, the markers with them.
    (moved,) = [r for r in rules if r.get("Prefix") == "documents/"]
    assert "ExpirationInDays" not in moved  # current uploads (verified ones) stay
    assert moved["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 90
    assert moved["ExpiredObjectDeleteMarker"] is True
    deny = RESOURCES["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_a_dead_letter_of_the_imports_queue_fails_its_import():
    """Issue 19: after three tries (the worker's ``IMPORT_MAX_RECEIVES``) a message whose
    worker died goes to the dead-letter queue, and a function there fails its import."""
    from chalicelib.config import settings

    queue = RESOURCES["ImportsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == settings().import_max_receives
    assert (
        queue["VisibilityTimeout"]
        <= 2 * CONFIG["lambda_functions"]["import_worker"]["lambda_timeout"]
    )
    events = RESOURCES["ImportDeadLetter"]["Properties"]["Events"]
    source = events["ImportDeadLetterSqsEventSource"]["Properties"]
    # A Fn::Sub like chalice's own (the merge would keep both keys of different intrinsics).
    assert source["Queue"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"
        "${ImportsDeadLetterQueue.QueueName}"
    }


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
    assert _gateway_body(response) == {
        "error": {"code": code, "message": "API Gateway says", "message_zh": CODE_ZH[code]}
    }


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


def _statements(function: str) -> list[dict[str, Any]]:
    return _policy_files()[function]["Statement"]


def _grants(function: str) -> set[tuple[str, str]]:
    """(action, bucket prefix) pairs a function's policy grants on the data bucket's objects."""
    granted = set()
    for statement in _statements(function):
        for resource in statement["Resource"] if isinstance(statement["Resource"], list) else []:
            text = resource.get("Fn::Sub", "") if isinstance(resource, dict) else resource
            prefix = "arn:${AWS::Partition}:s3:::" + BUCKET_NAME + "/"
            if text.startswith(prefix):
                for action in statement["Action"]:
                    granted.add((action, text[len(prefix) :].removesuffix("/*")))
    return granted


# What each function does with the bucket (chalicelib/services: documents, export, audit).
MOVE = {
    ("s3:GetObject", "documents"),  # head + read the upload
    ("s3:GetObjectTagging", "documents"),  # CopyObject copies the source's tags
    ("s3:DeleteObject", "documents"),  # the move of a rejected upload
    ("s3:PutObject", "verified"),
    ("s3:PutObjectTagging", "verified"),
    ("s3:PutObject", "quarantine"),
    ("s3:PutObjectTagging", "quarantine"),  # the rejection's tags on the copy
}
# An import's upload and chunks are deleted for good when it ends (issue 19: they hold
# personal data): every version, under imports/ only (services/imports.py ``finish``).
PURGE_IMPORTS = {("s3:DeleteObject", "imports"), ("s3:DeleteObjectVersion", "imports")}
BUCKET_GRANTS = {
    "api_handler": MOVE
    | {
        ("s3:PutObject", "documents"),  # the presigned upload form is signed by the role
        ("s3:GetObject", "verified"),  # presigned download
        ("s3:GetObject", "exports"),  # latest export links
        ("s3:GetObject", "audits"),  # GET /v1/audit/runs/{id}
        ("s3:PutObject", "audits"),  # POST /v1/audit/run
        ("s3:PutObject", "receipts"),  # GET /v1/verify/receipt stores what it signed
        ("s3:GetObject", "receipts"),  # GET /v1/verify/receipts/{id}
        ("s3:GetObject", "receipt-keys"),  # the JWKS and the kid of the signing key
        ("s3:PutObject", "imports"),  # the presigned form of an import's spreadsheet
        ("s3:GetObject", "imports"),  # POST /v1/imports/{id}/start checks the upload
    }
    | PURGE_IMPORTS,
    "document_check": MOVE,
    # Reads the uploaded sheet, writes and reads its chunks (services/import_work.py).
    "import_worker": {("s3:GetObject", "imports"), ("s3:PutObject", "imports")} | PURGE_IMPORTS,
    # Fails the import of a message its worker never finished, and deletes its objects.
    "import_dead_letter": PURGE_IMPORTS,
    # ... and its sweep ends stale imports, deleting their objects (services/imports.py).
    "daily_audit": {("s3:PutObject", "audits")} | PURGE_IMPORTS,
    "nightly_export": {
        ("s3:GetObject", "exports"),
        ("s3:PutObject", "exports"),
        ("s3:AbortMultipartUpload", "exports"),
    },
}


@pytest.mark.parametrize("function", sorted(BUCKET_GRANTS))
def test_each_function_may_do_with_the_bucket_exactly_what_its_code_does(function):
    assert _grants(function) == BUCKET_GRANTS[function]
    actions = {a for s in _statements(function) for a in s["Action"]}
    # No function can erase a stored version (the bucket keeps them: never hard-delete),
    # but the transient copies of an import (above).
    assert "s3:PutLifecycleConfiguration" not in actions
    erased = {prefix for action, prefix in _grants(function) if action == "s3:DeleteObjectVersion"}
    assert erased <= {"imports"}


def test_only_the_api_reads_the_server_secret_and_only_that_one():
    for function in _policy_files():
        readers = [
            s for s in _statements(function) if any("secretsmanager:" in a for a in s["Action"])
        ]
        if function != "api_handler":
            assert readers == [], function
            continue
        (statement,) = readers
        assert statement["Action"] == ["secretsmanager:GetSecretValue"]
        assert statement["Resource"] == [{"Ref": "ServerSecret"}]
    assert RESOURCES["ServerSecret"]["Type"] == "AWS::SecretsManager::Secret"


def test_publishers_to_the_alert_topic_may_use_its_key_and_nobody_else_may():
    for function in _policy_files():
        statements = _statements(function)
        publishes = any("sns:Publish" in s["Action"] for s in statements)
        kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
        topic_key = [s for s in kms if s["Resource"] == [{"Fn::GetAtt": ["AlertsTopicKey", "Arn"]}]]
        assert bool(topic_key) == publishes, function
        for statement in topic_key:
            assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_the_alert_topic_is_encrypted_with_a_key_cloudwatch_alarms_may_use():
    topic = RESOURCES["AlertsTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlertsTopicKey"}
    key = RESOURCES["AlertsTopicKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # messages and alarms outlive a stack update
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    alarms = next(
        s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    )
    assert set(alarms["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_the_api_writes_access_logs_kept_180_days_without_secrets():
    api = RESOURCES["RestAPI"]
    setting = api["Properties"]["AccessLogSetting"]
    group = RESOURCES["ApiAccessLogGroup"]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] >= 180
    assert group["DeletionPolicy"] == "Retain"
    assert setting["DestinationArn"]["Fn::Sub"].endswith(":log-group:${ApiAccessLogGroup}")
    fields = json.loads(setting["Format"])
    assert {"requestId", "ip", "httpMethod", "resourcePath", "status"} <= set(fields)
    assert fields["requestId"] == "$context.requestId"
    text = setting["Format"].lower()
    for secret in ("authorization", "header", "querystring", "body", "apikey"):
        assert secret not in text, secret
    # API Gateway writes logs only with the account's CloudWatch role set (before the stage).
    assert "ApiGatewayAccount" in api["DependsOn"]
    account = RESOURCES["ApiGatewayAccount"]["Properties"]
    assert account["CloudWatchRoleArn"] == {"Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}
    assert RESOURCES["ApiGatewayLogsRole"]["DeletionPolicy"] == "Retain"


def test_every_function_has_reserved_concurrency_and_schedules_never_overlap():
    functions = CONFIG["lambda_functions"]
    for name, function in functions.items():
        reserved = function.get("reserved_concurrency")
        assert isinstance(reserved, int) and reserved >= 1, name
    assert functions["nightly_export"]["reserved_concurrency"] == 1
    assert functions["daily_audit"]["reserved_concurrency"] == 1
    # Leaves most of an account's default 1,000 for everything else.
    assert sum(f["reserved_concurrency"] for f in functions.values()) <= 200


def test_receipts_are_signed_by_a_p256_kms_key_the_api_may_only_sign_with_through_its_alias():
    key = RESOURCES["ReceiptSigningKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["DeletionPolicy"] == "Retain"
    assert key["Properties"]["KeySpec"] == "ECC_NIST_P256"
    assert key["Properties"]["KeyUsage"] == "SIGN_VERIFY"
    alias = RESOURCES["ReceiptSigningKeyAlias"]["Properties"]
    assert alias["TargetKeyId"] == {"Ref": "ReceiptSigningKey"}
    # config.py derives the alias from the table prefix the stack gives every function
    stage_prefix = GLOBAL_ENV["TABLE_PREFIX"]["Fn::Sub"]
    assert alias["AliasName"]["Fn::Sub"] == f"alias/{stage_prefix}-receipts"
    policies = _policy_files()
    signing = {
        function: [s for s in policy["Statement"] if "kms:Sign" in s["Action"]]
        for function, policy in policies.items()
    }
    assert {f for f, statements in signing.items() if statements} == {"api_handler"}
    (sign,) = signing["api_handler"]
    assert sign["Action"] == ["kms:Sign"]
    assert sign["Condition"]["StringEquals"]["kms:RequestAlias"] == alias["AliasName"]
    assert sign["Condition"]["StringEquals"]["kms:SigningAlgorithm"] == "ECDSA_SHA_256"


def test_a_waf_rate_rule_limits_receipts_and_printed_pages_per_client_as_the_app_does():
    """Issue 19 (M4): the cloud refuses the loop before the function runs, with our 429."""
    acl = RESOURCES["ApiWebAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL" and acl["Properties"]["Scope"] == "REGIONAL"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    config = settings()
    assert rate["AggregateKeyType"] == "IP"  # per client, as services/rate_limits.py counts
    assert (rate["Limit"], rate["EvaluationWindowSec"]) == (
        config.receipt_rate_limit,
        config.receipt_rate_window_seconds,
    )
    paths = {
        s["ByteMatchStatement"]["SearchString"]
        for s in rate["ScopeDownStatement"]["OrStatement"]["Statements"]
    }
    assert paths == {"/v1/verify/receipt", "/v1/verify/print"}
    block = rule["Action"]["Block"]["CustomResponse"]
    assert block["ResponseCode"] == 429
    assert {h["Name"] for h in block["ResponseHeaders"]} == {"Retry-After"}
    body = json.loads(
        acl["Properties"]["CustomResponseBodies"][block["CustomResponseBodyKey"]]["Content"]
    )
    assert body["error"]["code"] == "throttled" and body["error"]["message_zh"]
    association = RESOURCES["ApiWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert "${RestAPI}/stages/${RestAPI.Stage}" in association["ResourceArn"]["Fn::Sub"]


def test_rate_limit_counters_expire_by_themselves():
    props = _tables()["rate-limits"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
