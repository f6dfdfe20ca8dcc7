"""The JSON Feed 1.1 of the latest awards: ``GET /v1/feed.json``."""

from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.api.http import endpoint, public_base_url, query_params
from chalicelib.services import feed

bp = Blueprint(__name__)

FEED_TYPE = "application/feed+json; charset=utf-8"


@bp.route("/feed.json", methods=["GET"])
@endpoint(bp)
def json_feed() -> Response:
    request = bp.current_request
    document = feed.json_feed(public_base_url(), query_params(request).get("cursor"))
    return Response(
        body=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        status_code=200,
        headers={"Content-Type": FEED_TYPE},
    )
