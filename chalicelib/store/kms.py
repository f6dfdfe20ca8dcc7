"""AWS KMS: the asymmetric key that signs verification receipts (never leaves KMS).

The client is made on first use (``store/aws.py``), so the rest of the API
never pays for it; ``AWS_ENDPOINT_URL`` points it at moto locally.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import aws

KEY_SPEC = "ECC_NIST_P256"
SIGNING_ALGORITHM = "ECDSA_SHA_256"


def kms() -> Any:
    """The process's KMS client (``store/aws.py``; short timeouts: a receipt is answered
    within the API's 25 s)."""
    return aws.client("kms")


def sign_digest(key_id: str, digest: bytes) -> tuple[bytes, str]:
    """The DER ECDSA signature of a SHA-256 ``digest`` and the ARN of the key that made it.

    ``key_id`` is normally the alias: IAM lets the API sign only through it,
    so after a rotation the answer's key ARN says which key signed.
    """
    answer = kms().sign(
        KeyId=key_id,
        Message=digest,
        MessageType="DIGEST",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return answer["Signature"], answer["KeyId"]


def public_key(key_id: str) -> bytes:
    """DER SubjectPublicKeyInfo of the key (operator commands only)."""
    return kms().get_public_key(KeyId=key_id)["PublicKey"]


def create_signing_key(description: str) -> str:
    """A new P-256 signing key (rotation, local bootstrap); returns its ARN."""
    metadata = kms().create_key(
        KeySpec=KEY_SPEC,
        KeyUsage="SIGN_VERIFY",
        Description=description,
        Tags=[{"TagKey": "app", "TagValue": "award-registry"}],
    )["KeyMetadata"]
    return metadata["Arn"]


def key_arn(key_or_alias: str) -> str | None:
    """The ARN of a key (by id, ARN or alias); None when there is no such key or alias.

    ``Sign`` answers with the ARN; ``GetPublicKey`` may answer with the bare id.
    """
    client = kms()
    try:
        return client.describe_key(KeyId=key_or_alias)["KeyMetadata"]["Arn"]
    except client.exceptions.NotFoundException:
        return None


def point_alias(alias: str, target_arn: str) -> None:
    """Create ``alias`` or move it to ``target_arn``."""
    client = kms()
    if key_arn(alias) is None:
        client.create_alias(AliasName=alias, TargetKeyId=target_arn)
    else:
        client.update_alias(AliasName=alias, TargetKeyId=target_arn)


# Webhook signing secrets (issue 21): a symmetric key encrypts them at rest. The
# subscription id is the encryption context, so a ciphertext copied onto another
# subscription does not decrypt.


def encrypt_text(key_id: str, text: str, context: dict[str, str]) -> str:
    """The base64 KMS ciphertext of ``text`` under ``key_id`` (an alias) and ``context``."""
    import base64

    blob = kms().encrypt(KeyId=key_id, Plaintext=text.encode("utf-8"), EncryptionContext=context)[
        "CiphertextBlob"
    ]
    return base64.b64encode(blob).decode("ascii")


def decrypt_text(ciphertext: str, context: dict[str, str]) -> str:
    """The text ``encrypt_text`` encrypted (KMS finds the key from the ciphertext)."""
    import base64

    answer = kms().decrypt(CiphertextBlob=base64.b64decode(ciphertext), EncryptionContext=context)
    return answer["Plaintext"].decode("utf-8")


def ensure_symmetric_key(alias: str, description: str) -> str:
    """The key behind ``alias``, created with it when absent (the local emulator only:
    the stack creates the cloud's). Returns the key's ARN."""
    arn = key_arn(alias)
    if arn is not None:
        return arn
    metadata = kms().create_key(
        KeySpec="SYMMETRIC_DEFAULT",
        KeyUsage="ENCRYPT_DECRYPT",
        Description=description,
        Tags=[{"TagKey": "app", "TagValue": "award-registry"}],
    )["KeyMetadata"]
    kms().create_alias(AliasName=alias, TargetKeyId=metadata["Arn"])
    return metadata["Arn"]
