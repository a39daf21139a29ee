"""``polarwatch serve``: the REST API (and the dashboard, when installed) on a local address."""

from __future__ import annotations

import click

from .cli import _db, _fail, db_option, main
from .store import StoreError


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), help="Server processes.")
@click.pass_context
def serve(ctx: click.Context, db: str | None, host: str, port: int, workers: int) -> None:
    """Serve the REST API under /api (spec at /api/openapi.json) and the dashboard at /.

    Read-only unless POLARWATCH_API_TOKEN is set: then POST /api/articles and DELETE /api/articles/ID
    accept requests bearing it (Authorization: Bearer TOKEN)."""
    import os

    import uvicorn

    from .api.server import BALANCED, LOOP, PROTOCOL, listening_socket, run_workers, serving

    path = _db(ctx, db)
    try:
        from .api import create_app

        create_app(path)  # fails here, with a clear message, on a store it cannot open
    except StoreError as exc:
        _fail(str(exc))
    click.echo(f"polarwatch: serving {path} at http://{host}:{port}/ (API at /api, Ctrl-C to stop)", err=True)
    if workers == 1:
        uvicorn.run(serving(create_app(path)), host=host, port=port, log_level="warning", server_header=False, http=PROTOCOL, loop=LOOP)
    else:
        os.environ["POLARWATCH_SERVE_DB"] = path
        options = dict(app="polarwatch.cli_serve:_app_from_env", factory=True, log_level="warning", server_header=False,
                       http=PROTOCOL, loop=LOOP)  # fmt: skip
        if not BALANCED:
            uvicorn.run(**options, host=host, port=port, workers=workers)
            return
        try:  # this process accepts and hands each connection to the least loaded worker (api/server.py)
            listener = listening_socket(host, port)
        except OSError as exc:
            _fail(f"cannot listen on {host}:{port}: {exc}")
        if run_workers(listener, workers, options):
            _fail("a server process failed to start (see its messages above)")


def _app_from_env():  # noqa: ANN202  (uvicorn factory for several worker processes)
    import os

    from .api import create_app
    from .api.server import serving

    return serving(create_app(os.environ["POLARWATCH_SERVE_DB"]))
