"""Operator commands: issue and revoke API keys, set up the local stack.

    python -m chalicelib.cli issue-key --authority 110000
    python -m chalicelib.cli issue-key --admin
    python -m chalicelib.cli revoke-key --key-id key_01H...
    printf '%s\n' "$KEY" | python -m chalicelib.cli revoke-key --api-key -
    python -m chalicelib.cli bootstrap
    python -m chalicelib.cli bootstrap-receipt-key   # list the stack's receipt key (once)
    python -m chalicelib.cli rotate-receipt-key      # new key; old receipts stay checkable
    python -m chalicelib.cli check-receipt FILE [--jwks FILE_OR_URL]

``issue-key`` prints ``{"authority_id", "role", "api_key", "key_id"}`` once.
``revoke-key`` takes the key id (what logs name) or the key itself on stdin:
a key given on the command line stays in shell history and the process list,
so ``--api-key KEY`` still works (SPEC §4) but warns.

Set ``AWS_ENDPOINT_URL`` to talk to the local emulator; without it the
commands use real AWS with the stage's table names (and ``SERVER_SECRET_ARN``).

Each command imports what it uses inside ``main``: importing the services reads
the stage's settings (table names, the secret's ARN), which ``check-receipt``
on an office computer has not got, and a one-shot tool should not pay for
modules its command never runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path

STDIN = "-"
# check-receipt's last line and exit code, by the checker's status (receipt_check.py).
CHECK_VERDICT_ZH = {
    "valid": "签名有效 (valid)",
    "invalid": "签名无效 (INVALID)",
    "too_large": "回执过大，超过平台可签发的最大回执，未核验 (TOO LARGE, not checked)",
    "unusable_keys": "公钥文件无法读取，未核验 (no usable JWKS, not checked)",
}
CHECK_EXIT = {"valid": 0, "invalid": 1, "too_large": 2, "unusable_keys": 2}


def _read_key(stdin: object) -> str:
    """The key from stdin: a pipe's first line, or typed without echo at a terminal."""
    if getattr(stdin, "isatty", lambda: False)():
        return getpass.getpass("API key: ").strip()
    return (stdin.readline() or "").strip()  # type: ignore[attr-defined]


def _logs_to_stderr() -> None:
    """Stdout is the command's answer (JSON a script reads); log lines go to stderr."""
    from chalicelib.observability import logger

    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(sys.stderr)


def main(argv: list[str] | None = None) -> int:
    _logs_to_stderr()
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue-key", help="print a new API key once")
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--authority", help="the authority id, e.g. 110000 or 110000-PNR")
    who.add_argument("--admin", action="store_true", help="an administrator key")
    issue.add_argument("--note", help="who holds it, what for (shown in the key list)")
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
    revoke.add_argument("--note", help="why it is revoked (stored with the revocation)")
    commands.add_parser("bootstrap", help="create tables, bucket, topic; load authorities")
    commands.add_parser("bootstrap-receipt-key", help="list the receipt signing key (JWKS)")
    commands.add_parser("rotate-receipt-key", help="sign receipts with a new KMS key")
    check = commands.add_parser("check-receipt", help="verify a receipt file offline")
    check.add_argument("file", help="the receipt (compact JWS), or - for standard input")
    check.add_argument(
        "--jwks",
        help="JWKS file or URL (default: $PUBLIC_BASE_URL/.well-known/jwks.json)",
    )
    args = parser.parse_args(argv)

    if args.command == "check-receipt":
        return _check_receipt(args.file, args.jwks)
    if args.command in ("bootstrap-receipt-key", "rotate-receipt-key"):
        from chalicelib.services import receipt_keys  # per command (module docstring)

        if args.command == "rotate-receipt-key":
            result = receipt_keys.rotate()
        else:
            result = {"kid": receipt_keys.ensure_key()["kid"]}
        print(json.dumps(result))
        return 0

    from chalicelib.services import keys  # per command (module docstring)

    if args.command in ("issue-key", "revoke-key"):
        problem = _secret_problem()
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    if args.command == "issue-key":
        role = keys.ADMIN if args.admin else keys.PROVINCIAL
        try:
            issued = keys.issue_key(role=role, authority_id=args.authority, note=args.note)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(issued, ensure_ascii=False))
        return 0
    if args.command == "revoke-key":
        if args.key_id is not None:
            if not keys.revoke_key_id(args.key_id.strip(), note=args.note):
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
        if not keys.revoke_key(api_key, note=args.note):
            print("error: unknown API key", file=sys.stderr)
            return 1
        print(json.dumps({"revoked": True}))
        return 0
    from chalicelib.services.setup import bootstrap  # per command (module docstring)

    print(json.dumps(bootstrap(), ensure_ascii=False))
    return 0


def _secret_problem() -> str | None:
    """Why a key made here would not work on the server, or None when it would.

    A key is stored as its HMAC with the server secret: the CLI must use the secret the
    server uses. With ``SERVER_SECRET_ARN`` set, that secret must be readable here. Without
    it, the local stage falls back to the development secret, which is right only for a
    server that has no secret either (in-process tests): when the stack's own secret
    (``<TABLE_PREFIX>-server-secret``, what ``make run`` creates and the server reads)
    exists, a key hashed with the fallback would be refused by that server (401), so the
    command refuses instead and names the setting.
    """
    from chalicelib.config import settings
    from chalicelib.domain.errors import UnavailableError
    from chalicelib.store.secrets import secret_exists, server_secret

    config = settings()
    if config.server_secret_arn:
        try:
            server_secret()  # read it now: fail here, not after printing
        except (UnavailableError, RuntimeError) as exc:
            return (
                f"cannot read the server secret SERVER_SECRET_ARN={config.server_secret_arn!r}: "
                f"{exc}"
            )
        return None
    stack_secret = config.stack_secret_name
    if secret_exists(stack_secret):
        return (
            "SERVER_SECRET_ARN is not set, so this key would be hashed with the development "
            f"secret, but the stack's server reads its secret {stack_secret!r} from Secrets "
            f"Manager and would refuse the key (401). Set SERVER_SECRET_ARN={stack_secret} "
            "(as make run does) and run the command again."
        )
    return None


def _check_receipt(file: str, jwks_source: str | None) -> int:
    """Exit 0 when the signature holds, 1 when it does not, 2 when it cannot be checked
    (no JWKS, not a receipt, or too large to be one)."""
    # Per command (module docstring): checking a receipt needs no stage settings.
    from chalicelib.config import settings
    from chalicelib.receipt_check import check_receipt, load_jwks

    if jwks_source is None:
        if not settings().public_base_url:
            print("error: pass --jwks FILE_OR_URL (or set PUBLIC_BASE_URL)", file=sys.stderr)
            return 2
        jwks_source = settings().public_base_url + "/.well-known/jwks.json"
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text("ascii")
        jwks = load_jwks(jwks_source)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = check_receipt(text, jwks)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(CHECK_VERDICT_ZH[result["status"]], file=sys.stderr)
    return CHECK_EXIT[result["status"]]


if __name__ == "__main__":
    sys.exit(main())
