"""Webhook subscriptions (issue 21): a provincial platform receives changes as signed POSTs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalice import Blueprint, Response

from chalicelib.api.doc import AUTHORITY, CURSOR, LIMIT
from chalicelib.api.http import json_response, route
from chalicelib.domain import schemas
from chalicelib.domain.principal import ADMIN, PROVINCIAL, Principal
from chalicelib.domain.queries import Page, SubscriptionFilter
from chalicelib.services import webhooks

bp = Blueprint(__name__)

SUBSCRIPTION_PATH = {"subscription_id": r"^sub_[0-9A-HJKMNP-TV-Z]{26}$"}
# A province manages its own platform's subscriptions; an administrator any province's.
BOTH = (PROVINCIAL, ADMIN)
NEVER_THE_SECRET = "The signing secret is never in this answer (only at creation and rotation)."
OWNER = replace(AUTHORITY, message="authority_id must be one of the 33 authority ids")


@route(
    bp,
    "POST",
    "/subscriptions",
    summary="Subscribe a URL to signed change deliveries (Standard Webhooks 1.0)",
    audience="provincial",
    roles=BOTH,
    ok={201: "SubscriptionCreatedOut"},
    auth="required",
    errors=(409,),
    description="A province subscribes its own platform; an administrator names "
    "`owner_authority_id`. `authority_ids` filters by the authority that pushed (default "
    "all 33), `events` by type (default all). The answer carries the signing secret "
    "(`whsec_…`): the only time it is shown. The URL must be `https://` and resolve only "
    "to public addresses (400 naming `url` otherwise).",
)
def create_subscription(
    principal: Principal, body: schemas.SubscriptionIn, now: datetime
) -> Response:
    return json_response(webhooks.create(principal, body, now), status=201)


@route(
    bp,
    "GET",
    "/subscriptions",
    summary="Webhook subscriptions: a province's own, an administrator's all",
    audience="provincial",
    roles=BOTH,
    ok={200: "SubscriptionListOut"},
    auth="required",
    query=(LIMIT, CURSOR, OWNER),
    description=NEVER_THE_SECRET,
)
def list_subscriptions(principal: Principal, query: SubscriptionFilter) -> Response:
    return json_response(webhooks.list_subscriptions(principal, query))


@route(
    bp,
    "GET",
    "/subscriptions/{subscription_id}",
    summary="One webhook subscription",
    audience="provincial",
    roles=BOTH,
    ok={200: "SubscriptionOut"},
    auth="required",
    path_patterns=SUBSCRIPTION_PATH,
    description=NEVER_THE_SECRET,
)
def get_subscription(subscription_id: str, principal: Principal) -> Response:
    return json_response(webhooks.read(principal, subscription_id))


@route(
    bp,
    "PATCH",
    "/subscriptions/{subscription_id}",
    summary="Change a subscription's URL, description, filters, or pause/resume it",
    audience="provincial",
    roles=BOTH,
    ok={200: "SubscriptionOut"},
    auth="required",
    path_patterns=SUBSCRIPTION_PATH,
    description="`state: paused` stops deliveries (events keep queueing); `active` resumes "
    "them, the waiting event first.",
)
def patch_subscription(
    subscription_id: str, principal: Principal, body: schemas.SubscriptionPatchIn, now: datetime
) -> Response:
    return json_response(webhooks.update(principal, subscription_id, body, now))


@route(
    bp,
    "DELETE",
    "/subscriptions/{subscription_id}",
    summary="End a subscription (kept with its log, state deleted)",
    audience="provincial",
    roles=BOTH,
    ok={200: "SubscriptionOut"},
    auth="required",
    path_patterns=SUBSCRIPTION_PATH,
)
def delete_subscription(subscription_id: str, principal: Principal, now: datetime) -> Response:
    return json_response(webhooks.delete(principal, subscription_id, now))


@route(
    bp,
    "GET",
    "/subscriptions/{subscription_id}/deliveries",
    summary="The delivery log, newest first",
    audience="provincial",
    roles=BOTH,
    ok={200: "DeliveryListOut"},
    auth="required",
    query=(LIMIT, CURSOR),
    path_patterns=SUBSCRIPTION_PATH,
)
def list_deliveries(subscription_id: str, principal: Principal, query: Page) -> Response:
    return json_response(webhooks.deliveries(principal, subscription_id, query))


@route(
    bp,
    "POST",
    "/subscriptions/{subscription_id}/replay",
    summary="Re-send every matching event after a change-feed position (or from a date)",
    audience="provincial",
    roles=BOTH,
    ok={202: "ReplayOut"},
    auth="required",
    errors=(409, 429),
    path_patterns=SUBSCRIPTION_PATH,
    description="New deliveries with the events' original `webhook-id`s. At most "
    "`WEBHOOK_REPLAY_MAX` (1000) events read per request (`next_position` continues), one "
    "request per minute per subscription (429).",
)
def replay(
    subscription_id: str, principal: Principal, body: schemas.ReplayIn, now: datetime
) -> Response:
    return json_response(webhooks.replay(principal, subscription_id, body, now), status=202)


@route(
    bp,
    "POST",
    "/subscriptions/{subscription_id}/ping",
    summary="Send a signed ping event now; answers the receiver's status code",
    audience="provincial",
    roles=BOTH,
    ok={200: "PingOut"},
    auth="required",
    path_patterns=SUBSCRIPTION_PATH,
)
def ping(subscription_id: str, principal: Principal, now: datetime) -> Response:
    return json_response(webhooks.ping(principal, subscription_id, now))


@route(
    bp,
    "POST",
    "/subscriptions/{subscription_id}/rotate-secret",
    summary="A new signing secret (shown once); the old one keeps signing for 24 hours",
    audience="provincial",
    roles=BOTH,
    ok={200: "SubscriptionCreatedOut"},
    auth="required",
    path_patterns=SUBSCRIPTION_PATH,
    description="For 24 hours each delivery carries both signatures, space-separated in "
    "`webhook-signature`, so the receiver can switch secrets without losing a message.",
)
def rotate_secret(subscription_id: str, principal: Principal, now: datetime) -> Response:
    return json_response(webhooks.rotate_secret(principal, subscription_id, now))
