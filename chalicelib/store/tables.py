"""Every table of Award Registry, for what creates or checks them all (setup, infra).

Not in ``store/models.py``: importing the tables of every feature is what only
setup and the infra check need, and a cold start that reads API keys should not
pay for the audit's, the search index's or the statistics' models.
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.store.audit import AuditFinding
from chalicelib.store.calendar import CalendarYear
from chalicelib.store.models import ApiKey, AuthorityRecord, AwardRecord, ChangeEntry, Program
from chalicelib.store.rate_limits import RateWindow
from chalicelib.store.search import BigramEntry
from chalicelib.store.stats import DailyCounter
from chalicelib.store.submissions import ZeroReport
from chalicelib.store.webhooks import Subscription

ALL_TABLES: tuple[type[Model], ...] = (
    ApiKey,
    AuthorityRecord,
    Program,
    AwardRecord,
    ChangeEntry,
    CalendarYear,
    AuditFinding,
    ZeroReport,
    BigramEntry,
    DailyCounter,
    RateWindow,
    Subscription,
)
