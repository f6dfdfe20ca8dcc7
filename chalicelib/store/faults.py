"""What counts as a storage fault, said once for the layers above the store.

Only the store touches boto3, botocore and pynamodb (issue 20). Where a service
must decide on a fault, the store names it (``objects.PreconditionFailed``,
``objects.NotFound``, ``alerts.PublishFailed``, …); every such exception derives
from ``StoreFault``. ``STORAGE_FAULTS`` is every exception a store call may raise
because storage did not answer as asked: the API edge maps one that nobody
handled to 503 ``unavailable`` (never a 500: the client did nothing wrong), and a
service that can do without storage (a printed page without its receipt) catches
it to degrade.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException


class StoreFault(Exception):
    """Base of the store's own exceptions: storage refused or lacked something."""


STORAGE_FAULTS: tuple[type[Exception], ...] = (
    StoreFault,
    PynamoDBException,
    ClientError,
    BotoCoreError,
)
