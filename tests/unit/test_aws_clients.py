"""One botocore session and one client per service for the whole process (``store/aws.py``).

pynamodb would give every model its own connection, session and client, each
re-reading botocore's endpoint and service models on a cold start; the app's models
derive from ``StoreModel`` so they all talk through the one DynamoDB client.
"""

from __future__ import annotations

import importlib
import pkgutil

from pynamodb.models import Model

import chalicelib.store
from chalicelib.store import aws, ledger
from chalicelib.store.base import StoreModel
from chalicelib.store.models import ApiKey, AwardRecord, ChangeEntry


def _all_models(base: type = Model) -> list[type[Model]]:
    found = []
    for model in base.__subclasses__():
        found.append(model)
        found.extend(_all_models(model))
    return found


def _import_every_store_module() -> None:
    for module in pkgutil.iter_modules(chalicelib.store.__path__):
        importlib.import_module(f"chalicelib.store.{module.name}")


def test_every_model_of_the_app_talks_through_the_shared_client():
    _import_every_store_module()
    ours = [m for m in _all_models() if m.__module__.startswith("chalicelib.")]
    assert len(ours) > 10
    strays = [m.__qualname__ for m in ours if not issubclass(m, StoreModel)]
    assert strays == []  # derive from store.base.StoreModel, not pynamodb's Model


def test_models_and_transactions_share_one_dynamodb_client_and_session():
    clients = {
        id(model._get_connection().connection.client)
        for model in (ApiKey, AwardRecord, ChangeEntry)
    }
    clients.add(id(ledger.connection().client))
    assert clients == {id(aws.client("dynamodb"))}
    assert aws.client("s3") is aws.client("s3")
    assert aws.session() is aws.session()


def test_no_model_makes_a_session_of_its_own(monkeypatch):
    import botocore.session

    made = []
    real = botocore.session.get_session
    monkeypatch.setattr(botocore.session, "get_session", lambda *a: made.append(1) or real(*a))
    monkeypatch.setattr("pynamodb.connection.base.get_session", botocore.session.get_session)
    aws.reset()
    for model in (ApiKey, AwardRecord, ChangeEntry):
        model._get_connection().connection.client  # noqa: B018 (what every request reads)
    ledger.connection().client  # noqa: B018
    aws.client("s3")
    assert len(made) == 1


def test_reset_makes_new_clients_and_models_pick_them_up():
    before = aws.client("dynamodb")
    aws.reset()
    after = aws.client("dynamodb")
    assert after is not before
    assert ApiKey._get_connection().connection.client is after
