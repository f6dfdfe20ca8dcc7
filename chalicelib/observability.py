"""Structured logging and metrics (powertools): one logger, one metrics sink.

Never log a request body or an API key: log ids, codes and counts.

Metrics are CloudWatch embedded-metric-format lines printed at the end of each
invocation by ``metrics.log_metrics``, registered as Chalice middleware in
``app.py`` (so nothing is lost when a handler forgets to flush). ``count``
is the one way the code records a metric: it does nothing where metrics are
disabled (the local stage and tests), so a long-lived ``chalice local`` does
not pile up values that are never flushed.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from chalice import ConvertToMiddleware

SERVICE = "award-registry"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="AwardRegistry", service=SERVICE)

# A read-only request records no metric; powertools warns about every such
# flush, which says nothing useful here.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def count(name: str, value: float = 1) -> None:
    """Add ``value`` to the counter ``name`` of this invocation (flushed by the middleware)."""
    if not is_metrics_disabled():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def add_duration(name: str, milliseconds: float) -> None:
    """Record a duration (e.g. the audit's) in milliseconds."""
    if not is_metrics_disabled():
        metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=milliseconds)


def metrics_middleware() -> ConvertToMiddleware:
    """``metrics.log_metrics`` as Chalice middleware: flush at the end of every invocation.

    No cold-start metric: Lambda's REPORT line already carries ``Init Duration``,
    and powertools prints that metric even where metrics are disabled.
    """
    return ConvertToMiddleware(metrics.log_metrics)
