"""The JSON Feed 1.1 of the latest awards: ``GET /v1/feed.json``."""

from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.api.doc import CURSOR, SHORT_PAGES
from chalicelib.api.http import public_base_url, route
from chalicelib.domain.queries import FeedQuery
from chalicelib.services import feed

bp = Blueprint(__name__)

FEED_TYPE = "application/feed+json; charset=utf-8"


@route(
    bp,
    "GET",
    "/feed.json",
    summary="JSON Feed 1.1 of the latest awards",
    audience="public",
    ok={200: "JsonFeedOut"},
    query=(CURSOR,),
    media_type="application/feed+json",
    description="Pages like `GET /v1/awards` (`next_url` instead of `next_cursor`): "
    + SHORT_PAGES.replace("next_cursor", "next_url"),
)
def json_feed(query: FeedQuery) -> Response:
    document = feed.json_feed(public_base_url(), query.cursor)
    return Response(
        body=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        status_code=200,
        headers={"Content-Type": FEED_TYPE},
    )
