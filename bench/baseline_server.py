"""The baseline for the simulator benchmark: the least an aiohttp server can do per JSON answer."""

import sys

from aiohttp import web

BODY = {"data": {"display_name": "Noah Sings", "follower_count": 457519}, "error": {"code": "ok", "message": "", "log_id": "x"}}


async def answer(request: web.Request) -> web.Response:
    return web.json_response(BODY)


app = web.Application()
app.router.add_route("*", "/{tail:.*}", answer)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
