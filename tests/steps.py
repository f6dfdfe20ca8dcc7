"""The steps a province and an administrator take, written once for every test layer.

A step takes a *caller*: anything with ``call(method, path, body=None, *, key=None)``
that answers with ``status_code`` and ``data`` (the JSON body). The functional
tests' ``Api`` (``chalice.test.Client`` on in-process moto) is one; ``Http``
below (``requests`` to the local stack's address) is the other. So
``push(caller, key, body)`` is the same step in a functional test and an
end-to-end one, and a change to how a push is made is made here.

Steps that set the scene assert their success (a failed setup says so at once);
``try_push`` is for tests about the push itself, whose answer they check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from tests.factories import document_body, pdf_bytes, program_body

TIMEOUT = 60
BATCH_MAX = 100  # records per batch request (SPEC: larger batches are a 400)


class Answer(Protocol):
    """What a step reads from an answer (a chalice test response, an ``HttpAnswer``)."""

    status_code: int
    data: Any
    body: Any


class Caller(Protocol):
    """The functional tests' ``Api``, ``Http(stack)``, the benches' in-process API."""

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = None) -> Any: ...


@dataclass
class HttpAnswer:
    """An answer over real HTTP, shaped as the functional tests' responses."""

    status_code: int
    data: Any
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """As ``requests`` names the body: e2e tests read either."""
        return self.body

    def json(self) -> Any:
        return self.data


class Http:
    """A caller over real HTTP: ``requests`` to ``stack.url(path)`` (the e2e local stack)."""

    def __init__(self, stack: Any, session: requests.Session | None = None) -> None:
        self.stack = stack
        self.session = session  # None: one connection per call, as ``requests.post`` does

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpAnswer:
        all_headers = {**(bearer(key) if key else {}), **(headers or {})}
        send = self.session.request if self.session is not None else requests.request
        response = send(
            method, self.stack.url(path), json=body, headers=all_headers, timeout=TIMEOUT
        )
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        return HttpAnswer(response.status_code, data, response.text, response.headers)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def expect(answer: Answer, status: int | tuple[int, ...]) -> Any:
    """``answer`` when its status is ``status``; else the test fails showing its body."""
    wanted = status if isinstance(status, tuple) else (status,)
    assert answer.status_code in wanted, (answer.status_code, answer.body)
    return answer


# Programmes ------------------------------------------------------------------------------


def draft_program(caller: Caller, key: str, **overrides: Any) -> str:
    """A programme created (still a draft) by the province holding ``key``: its id."""
    created = caller.call("POST", "/v1/programs", program_body(**overrides), key=key)
    return expect(created, 201).data["id"]


def upload_document(
    caller: Caller, key: str, program_id: str, declared: dict, content: bytes
) -> dict:
    """Declare a document, then POST ``content`` to the presigned form: the declaration's answer.

    The form goes to S3 (moto in-process, or the emulator of the local stack) with
    ``requests`` in both layers.
    """
    created = caller.call("POST", f"/v1/programs/{program_id}/documents", declared, key=key)
    form = expect(created, 201).data["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (declared["filename"], content, declared["content_type"])},
        timeout=TIMEOUT,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return created.data


def check_document(caller: Caller, key: str, program_id: str, document_id: str) -> Any:
    """Ask the registry to check an uploaded document now: the answer, whatever it is."""
    path = f"/v1/programs/{program_id}/documents/{document_id}/check"
    return caller.call("POST", path, key=key)


def verified_document(caller: Caller, key: str, program_id: str) -> str:
    """The cheap way to a submittable programme: a tiny valid PDF through the real flow."""
    content = pdf_bytes()
    declared = upload_document(caller, key, program_id, document_body(content), content)
    checked = expect(check_document(caller, key, program_id, declared["document_id"]), 200)
    assert checked.data["status"] == "verified", checked.body
    return declared["document_id"]


def submit(caller: Caller, key: str, program_id: str) -> dict:
    return expect(caller.call("POST", f"/v1/programs/{program_id}/submit", key=key), 200).data


def submitted_program(caller: Caller, key: str, **overrides: Any) -> str:
    """A programme created, given a verified approval document and submitted: its id.

    It takes awards; a verifier sees them as of a programme not yet approved.
    """
    program_id = draft_program(caller, key, **overrides)
    verified_document(caller, key, program_id)
    submit(caller, key, program_id)
    return program_id


def approve(caller: Caller, admin: str, program_id: str) -> dict:
    """An administrator approves a submitted programme: the programme as answered."""
    body = {"decision": "approve"}
    reviewed = caller.call("POST", f"/v1/programs/{program_id}/review", body, key=admin)
    return expect(reviewed, 200).data


def approved_program(caller: Caller, key: str, admin: str, **overrides: Any) -> str:
    """A programme submitted by ``key``'s province and approved by ``admin``: its id."""
    program_id = submitted_program(caller, key, **overrides)
    approve(caller, admin, program_id)
    return program_id


# Awards ----------------------------------------------------------------------------------


def try_push(caller: Caller, key: str, body: dict) -> Any:
    """``POST /v1/awards`` with ``body``: the answer, for a test about the push itself."""
    return caller.call("POST", "/v1/awards", body, key=key)


def push(caller: Caller, key: str, body: dict) -> dict:
    """Push a new award record (201): the award as answered."""
    return expect(try_push(caller, key, body), 201).data


def push_batch(caller: Caller, key: str, records: list[dict]) -> list[str]:
    """``POST /v1/awards/batch`` in pages of ``BATCH_MAX``, every record new (201): their ids."""
    ids: list[str] = []
    for start in range(0, len(records), BATCH_MAX):
        page = {"records": records[start : start + BATCH_MAX]}
        answer = expect(caller.call("POST", "/v1/awards/batch", page, key=key), 200)
        results = answer.data["results"]
        assert all(result["status"] == 201 for result in results), results
        ids += [result["id"] for result in results]
    return ids


# Spreadsheet imports ---------------------------------------------------------------------


def import_sheet(
    caller: Caller, key: str, content: bytes, content_type: str, filename: str, **extra: Any
) -> str:
    """Declare a spreadsheet import, upload it to the presigned form, start it: its id."""
    declared = {
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **extra,
    }
    created = expect(caller.call("POST", "/v1/imports", declared, key=key), 201).data
    form = created["upload"]
    stored = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (filename, content, content_type)},
        timeout=TIMEOUT,
    )
    assert stored.status_code in (200, 201, 204), stored.text
    import_id = created["import_id"]
    expect(caller.call("POST", f"/v1/imports/{import_id}/start", key=key), 202)
    return import_id
