"""Structured logging and metrics (powertools): one logger, one metrics sink.

Never log a request body or an API key: log ids, codes and counts.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

SERVICE = "award-registry"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="AwardRegistry", service=SERVICE)
