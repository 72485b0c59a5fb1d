"""The moto server the integration tests use, with DynamoDB writes made atomic.

`python -m moto.server` serves every request on its own thread, and moto's DynamoDB
evaluates a `ConditionExpression` and then applies the write without a lock. Two
overlapping conditional writes to one item can therefore both pass their condition,
which real DynamoDB never allows: it serialises the writes to an item. Our tests of
overlapping scheduler ticks and hold releases rely on exactly that guarantee, so this
launcher runs moto's own WSGI application behind one lock for DynamoDB requests (every
other service, such as SQS long polls, stays concurrent).

Usage: python tests/support/moto_server.py -H 127.0.0.1 -p PORT
"""

import argparse
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


class DynamoDbWritesInOrder:
    """WSGI middleware: one DynamoDB request at a time, as DynamoDB serialises item writes."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # Read the whole body inside the lock: moto may produce it lazily.
            return list(self.app(environ, start_response))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    # moto builds some URLs (SQS queue URLs) from this, as `moto.server` sets it.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        DynamoDbWritesInOrder(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
