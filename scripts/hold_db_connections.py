"""Hold N connections to a PostgreSQL server open, as another busy client would.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres \
        python scripts/hold_db_connections.py [--count 50] [--seconds 600]

Opens the connections (to the database of DATABASE_URL), prints how many it holds and how
many the server then has in use out of max_connections, and keeps them until --seconds pass
or it is interrupted. Used to check that the suite's concurrency tests pass on a server that
something else is also using (README, "Database connections").
"""

import argparse
import os
import signal
import sys
import time

import psycopg

IN_USE = """
    SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
           current_setting('max_connections')::int
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=600)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("scripts/hold_db_connections.py needs DATABASE_URL=postgres://...")
    conninfo = url.replace("postgres://", "postgresql://", 1)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = [psycopg.connect(conninfo, autocommit=True) for _ in range(args.count)]
    try:
        in_use, limit = held[0].execute(IN_USE).fetchone()
        print(f"holding {len(held)} connections; server: {in_use} of {limit} in use", flush=True)
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            time.sleep(1)
    finally:
        for conn in held:
            conn.close()


if __name__ == "__main__":
    main()
