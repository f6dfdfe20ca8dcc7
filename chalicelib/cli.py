"""Operator commands: issue and revoke API keys, set up the local stack.

    python -m chalicelib.cli issue-key --authority 110000
    python -m chalicelib.cli issue-key --admin
    python -m chalicelib.cli revoke-key --api-key KEY
    python -m chalicelib.cli bootstrap

Set ``AWS_ENDPOINT_URL`` to talk to the local emulator; without it the
commands use real AWS with the stage's table names.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue-key", help="print a new API key once")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--authority", help="the authority id, e.g. 110000 or 110000-PNR")
    who.add_argument("--admin", action="store_true", help="an administrator key")
    revoke = commands.add_parser("revoke-key", help="end a key at once")
    revoke.add_argument("--api-key", required=True)
    commands.add_parser("bootstrap", help="create tables, bucket, topic; load authorities")
    args = parser.parse_args(argv)

    from chalicelib.services import keys

    if args.command == "issue-key":
        role = keys.ADMIN if args.admin else keys.PROVINCIAL
        try:
            issued = keys.issue_key(role=role, authority_id=args.authority)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(issued, ensure_ascii=False))
        return 0
    if args.command == "revoke-key":
        if not keys.revoke_key(args.api_key):
            print("error: unknown API key", file=sys.stderr)
            return 1
        print(json.dumps({"revoked": True}))
        return 0
    from chalicelib.services.setup import bootstrap

    print(json.dumps(bootstrap(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
