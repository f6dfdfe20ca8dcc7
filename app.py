"""Award Registry: the Chalice application. Thin on purpose.

Routes live in ``chalicelib/api`` (one blueprint per resource), logic in
``chalicelib/services`` and ``chalicelib/domain``.
"""

from __future__ import annotations

import functools

from aws_lambda_powertools.logging import correlation_paths
from chalice import ConvertToMiddleware, Cron

from chalicelib.api import audit, awards, calendar, feedback, programs, public, timeliness
from chalicelib.api.http import RegistryApp
from chalicelib.observability import logger

app = RegistryApp(app_name="award-registry")
app.api.cors = False

# JSON logs with the API Gateway request id as correlation id; never the event
# (it holds the body and the Authorization header).
app.register_middleware(
    ConvertToMiddleware(
        functools.partial(
            logger.inject_lambda_context,
            correlation_id_path=correlation_paths.API_GATEWAY_REST,
            log_event=False,
            clear_state=True,
        )
    ),
    "http",
)

BLUEPRINTS = (
    public.bp,
    programs.bp,
    awards.bp,
    audit.bp,
    calendar.bp,
    feedback.bp,
    timeliness.bp,
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix="/v1")

# Scheduled and event functions (thin: each calls one function in chalicelib/jobs).


@app.schedule(Cron(0, 17, "*", "*", "?", "*"), name="daily_audit")
def daily_audit(event: object) -> dict:
    """01:00 China time: the timeliness audit of the China date just begun."""
    from chalicelib.jobs import audit as audit_job

    return audit_job.handle(event)
