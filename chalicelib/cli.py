"""Operator commands: issue and revoke API keys, set up the local stack.

    python -m chalicelib.cli issue-key --authority 110000
    python -m chalicelib.cli issue-key --admin
    python -m chalicelib.cli revoke-key --key-id key_01H...
    printf '%s\n' "$KEY" | python -m chalicelib.cli revoke-key --api-key -
    python -m chalicelib.cli bootstrap

``issue-key`` prints ``{"authority_id", "role", "api_key", "key_id"}`` once.
``revoke-key`` takes the key id (what logs name) or the key itself on stdin:
a key given on the command line stays in shell history and the process list,
so ``--api-key KEY`` still works (SPEC §4) but warns.

Set ``AWS_ENDPOINT_URL`` to talk to the local emulator; without it the
commands use real AWS with the stage's table names (and ``SERVER_SECRET_ARN``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

STDIN = "-"


def _read_key(stdin: object) -> str:
    """The key from stdin: a pipe's first line, or typed without echo at a terminal."""
    if getattr(stdin, "isatty", lambda: False)():
        return getpass.getpass("API key: ").strip()
    return (stdin.readline() or "").strip()  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue-key", help="print a new API key once")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--authority", help="the authority id, e.g. 110000 or 110000-PNR")
    who.add_argument("--admin", action="store_true", help="an administrator key")
    revoke = commands.add_parser("revoke-key", help="end a key at once")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--key-id", help="the key's id (key_...), as issue-key and logs show it")
    which.add_argument(
        "--api-key",
        nargs="?",
        const=STDIN,
        metavar="KEY",
        help="the key itself: '-' or no value reads it from stdin (preferred)",
    )
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
        if args.key_id is not None:
            if not keys.revoke_key_id(args.key_id.strip()):
                print("error: no key has this id", file=sys.stderr)
                return 1
            print(json.dumps({"revoked": True, "key_id": args.key_id.strip()}))
            return 0
        if args.api_key == STDIN:
            api_key = _read_key(sys.stdin)
        else:
            api_key = args.api_key
            print(
                "warning: a key on the command line stays in shell history and the process "
                "list; pipe it instead: ... | revoke-key --api-key -",
                file=sys.stderr,
            )
        if not api_key:
            print("error: no API key on stdin", file=sys.stderr)
            return 2
        if not keys.revoke_key(api_key):
            print("error: unknown API key", file=sys.stderr)
            return 1
        print(json.dumps({"revoked": True}))
        return 0
    from chalicelib.services.setup import bootstrap

    print(json.dumps(bootstrap(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
