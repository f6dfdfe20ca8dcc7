"""The storage faults as the routes see them: through the services, never the store.

Routes reach storage only through a service (the layers' rule, drawn in
``../shared/architecture/intended.json``), and so does what they know of its faults:
``STORAGE_FAULTS`` is the store's list (``store/faults.py``), named here for the API
edge, which answers one that nobody handled with 503 ``unavailable``.
"""

from __future__ import annotations

from chalicelib.store.faults import STORAGE_FAULTS, StoreFault

__all__ = ["STORAGE_FAULTS", "StoreFault"]
