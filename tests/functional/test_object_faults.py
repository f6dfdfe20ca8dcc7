"""S3's refusals reach the services as the store's named faults (``store/objects.py``).

A service decides on "the object changed since I read it" and "the object is not
there", never on botocore's error codes (issue 20): the document and evidence checks
judge the new bytes again, the export's claim reads who holds the date.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from chalicelib.store import objects
from chalicelib.store.faults import STORAGE_FAULTS, StoreFault


def _raising(exc: Exception):
    def call(**kwargs):
        raise exc

    return call


def test_any_other_fault_passes_unchanged(aws, monkeypatch):
    slow = ClientError({"Error": {"Code": "SlowDown"}}, "PutObject")
    monkeypatch.setattr(objects.s3(), "put_object", _raising(slow))
    with pytest.raises(ClientError) as raised:
        objects.put_bytes("tests/x", b"x", content_type="text/plain", if_none_match=True)
    assert raised.value is slow


def test_a_write_that_must_not_overwrite_is_refused_as_precondition_failed(aws):
    objects.put_json("tests/claim.json", {"run": 1}, if_none_match=True)
    with pytest.raises(objects.PreconditionFailed):
        objects.put_json("tests/claim.json", {"run": 2}, if_none_match=True)
    assert objects.get_json("tests/claim.json")[0] == {"run": 1}


def test_a_write_on_a_stale_etag_is_refused_as_precondition_failed(aws):
    first = objects.put_json("tests/claim.json", {"run": 1})
    objects.put_json("tests/claim.json", {"run": 2}, if_match=first)
    with pytest.raises(objects.PreconditionFailed):
        objects.put_json("tests/claim.json", {"run": 3}, if_match=first)


def test_a_copy_of_changed_bytes_is_precondition_failed_and_of_no_bytes_not_found(aws, monkeypatch):
    judged = objects.put_bytes("tests/upload", b"first", content_type="application/pdf")
    objects.put_bytes("tests/upload", b"second", content_type="application/pdf")
    # moto ignores CopySourceIfMatch (it checks only ...-if-none-match): S3's answer, as sent.
    refused = ClientError({"Error": {"Code": "PreconditionFailed"}}, "CopyObject")
    with monkeypatch.context() as patched:
        patched.setattr(objects.s3(), "copy_object", _raising(refused))
        with pytest.raises(objects.PreconditionFailed):
            objects.copy("tests/upload", "tests/verified", if_match=judged)
    assert objects.head("tests/verified") is None
    with pytest.raises(objects.NotFound):
        objects.copy("tests/nothing-here", "tests/verified")
    with pytest.raises(objects.NotFound):
        objects.stream("tests/nothing-here")


def test_absent_objects_read_as_none_and_named_faults_are_storage_faults(aws):
    assert objects.head("tests/nothing-here") is None
    assert objects.get_json("tests/nothing-here") is None
    assert objects.get_bytes("tests/nothing-here") is None
    assert issubclass(objects.PreconditionFailed, StoreFault)
    assert issubclass(objects.NotFound, StoreFault)
    assert StoreFault in STORAGE_FAULTS  # unhandled, the edge answers 503 unavailable
