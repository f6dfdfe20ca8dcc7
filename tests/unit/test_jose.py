"""The registry's few lines of JOSE agree with ``cryptography`` and ``joserfc``.

KMS answers a DER signature and a DER SubjectPublicKeyInfo; receipts need JOSE's
raw ``r || s`` and a JWK. These tests sign and export with an independent
library and check the conversions byte for byte, edge cases of DER included.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc import jws
from joserfc.jwk import ECKey, KeySet

from chalicelib.domain.jose import (
    JoseError,
    b64url_decode,
    compact_jws,
    der_to_raw_signature,
    fingerprint,
    jwk_thumbprint,
    p256_jwk_from_spki,
    signing_input,
    unverified_parts,
)


@pytest.fixture(scope="module")
def private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_der_signature_becomes_raw_r_and_s_of_32_bytes_each(private_key):
    for n in range(50):  # about half have a high bit set (DER adds 0x00), some are short
        der = private_key.sign(f"message {n}".encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        raw = der_to_raw_signature(der)
        assert len(raw) == 64
        assert raw == r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_small_and_high_bit_integers_are_padded_to_the_curve_size():
    small = encode_dss_signature(1, 2**255 + 7)  # r one byte, s 33 bytes with its 0x00
    assert der_to_raw_signature(small) == (1).to_bytes(32, "big") + (2**255 + 7).to_bytes(32, "big")


@pytest.mark.parametrize(
    "der",
    [
        b"",
        bytes.fromhex("3006020101020102ff"),  # trailing byte
        bytes.fromhex("3007020101020102"),  # wrong sequence length
        bytes.fromhex("3106020101020102"),  # not a SEQUENCE
        bytes.fromhex("3006040101020102"),  # not an INTEGER
        encode_dss_signature(2**256, 1),  # too large for P-256
    ],
)
def test_malformed_der_signatures_are_refused(der):
    with pytest.raises(JoseError):
        der_to_raw_signature(der)


def test_spki_of_a_p256_key_gives_its_jwk_and_rfc7638_thumbprint(private_key):
    jwk = p256_jwk_from_spki(_spki(private_key))
    numbers = private_key.public_key().public_numbers()
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256"
    assert int.from_bytes(b64url_decode(jwk["x"]), "big") == numbers.x
    assert int.from_bytes(b64url_decode(jwk["y"]), "big") == numbers.y
    assert jwk_thumbprint(jwk) == ECKey.import_key(jwk).thumbprint()


def test_spki_of_another_curve_is_refused():
    other = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(JoseError):
        p256_jwk_from_spki(_spki(other))
    with pytest.raises(JoseError):
        p256_jwk_from_spki(_spki(ec.generate_private_key(ec.SECP256R1()))[:-1])


def test_a_jws_assembled_from_a_der_signature_verifies_with_joserfc(private_key):
    jwk = p256_jwk_from_spki(_spki(private_key))
    kid = jwk_thumbprint(jwk)
    payload = {"credit_code": "91110000000000001H", "enterprise_names": ["北京城建集团"]}
    data = signing_input({"alg": "ES256", "kid": kid}, payload)
    # KMS with MessageType=DIGEST signs the SHA-256 digest it is given
    digest = hashlib.sha256(data).digest()
    der = private_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    token = compact_jws(data, der_to_raw_signature(der))
    keys = KeySet.import_key_set({"keys": [{**jwk, "kid": kid}]})
    verified = jws.deserialize_compact(token, keys, algorithms=["ES256"])
    assert verified.headers()["kid"] == kid
    assert unverified_parts(token)[1] == payload
    assert len(fingerprint(token).replace(" ", "")) == 32
