"""`python -m tiktok.simulator`: run the local TikTok on loopback and print how to use it.

Bad input (an unknown flag, a bad seed, an occupied port) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from typing import NoReturn

from aiohttp import web

from tiktok.simulator.app import make_app
from tiktok.simulator.faults import PRESETS
from tiktok.simulator.state import DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET, QuotaLimits
from tiktok.simulator.world import SIZES

PROG = "python -m tiktok.simulator"


class OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is a single line naming the problem and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see --help)\n")


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give 0 or more")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be above 0")
    return value


def parser() -> OneLineParser:
    p = OneLineParser(prog=PROG, description="A local TikTok: web pages, internal API, CDN and Research API.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=non_negative_int, default=8800, help="port (default 8800)")
    p.add_argument("--seed", type=non_negative_int, default=7, help="world seed: same seed, same world (default 7)")
    p.add_argument("--world", choices=sorted(SIZES), default="small", help="small (600 videos), medium (100,000) or large (1,000,000)")
    p.add_argument("--faults", choices=list(PRESETS), default="none", help="fault preset (default none)")
    p.add_argument(
        "--feed",
        choices=("personal", "popular"),
        default="personal",
        help="For-You feed: personal, learnt per visitor from play time, likes and follows (default); popular: the same for everyone",
    )
    p.add_argument("--clock-speed", type=positive_float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--client-key", default=DEMO_CLIENT_KEY, help="the Research API client key to accept")
    p.add_argument("--client-secret", default=DEMO_CLIENT_SECRET, help="the Research API client secret to accept")
    p.add_argument("--token-ttl", type=non_negative_int, default=7200, help="access token lifetime, simulated seconds")
    p.add_argument("--daily-requests", type=non_negative_int, default=1000, help="research requests per day")
    p.add_argument("--daily-records", type=non_negative_int, default=100_000, help="research records per day")
    p.add_argument("--latency-ms", type=non_negative_int, default=0, help="every answer but /__sim__/ waits this long (a remote site)")
    p.add_argument("--latency-jitter-ms", type=non_negative_int, default=0, help="spread each wait uniformly by +- this")
    return p


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "is in use" if exc.errno == 98 else f"cannot be bound ({exc.strerror})"
        print(f"{PROG}: error: port {port} on {host} {reason}; choose another with --port", file=sys.stderr)
        sys.exit(2)
    sock.listen(1024)
    return sock


def banner(base: str, args: argparse.Namespace, seconds: float) -> str:
    return f"""TikTok simulator (seed {args.seed}, world {args.world}, faults {args.faults}) ready in {seconds:.1f} s
  web        {base}/foryou   {base}/tag/london   {base}/@<username>
  research   {base}/v2/research/video/query/  (token: {base}/v2/oauth/token/)
  truth      {base}/__sim__/   users: {base}/__sim__/truth/users
  demo Research API client: key {args.client_key!r}, secret {args.client_secret!r} (accepted only here)

  Try the Research API:
    TOKEN=$(curl -s {base}/v2/oauth/token/ -d client_key={args.client_key} -d client_secret={args.client_secret} \\
      -d grant_type=client_credentials | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s -X POST '{base}/v2/research/video/query/?fields=id,username,like_count,hashtag_names' \\
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
      -d '{{"query": {{"and": [{{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}}]}},
           "start_date": "20260510", "end_date": "20260530", "max_count": 5}}'
Press Ctrl-C to stop."""


def main(argv: list[str] | None = None) -> None:
    p = parser()
    args = p.parse_args(argv)
    if args.latency_jitter_ms > args.latency_ms:
        p.error(f"--latency-jitter-ms {args.latency_jitter_ms} is above --latency-ms {args.latency_ms}; a wait cannot be negative")
    sock = bind(args.host, args.port)  # first, so an occupied port fails before the world is built
    started = time.monotonic()
    quota = QuotaLimits(research_requests=args.daily_requests, research_records=args.daily_records)
    app = make_app(
        seed=args.seed,
        world=args.world,
        faults=args.faults,
        clock_speed=args.clock_speed,
        client_key=args.client_key,
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        quota=quota,
        personal_feed=args.feed == "personal",
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(banner(f"http://{host}:{sock.getsockname()[1]}", args, time.monotonic() - started), flush=True)
    # A hanging-link fault must not hold Ctrl-C for aiohttp's default 60 s grace period.
    web.run_app(app, sock=sock, print=None, access_log=None, shutdown_timeout=2.0)
    print("simulator stopped", flush=True)


if __name__ == "__main__":
    main()
