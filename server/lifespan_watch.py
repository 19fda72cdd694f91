"""LifespanWatch: the hosted app as it is, but with its lifespan's failure kept.

uvicorn logs a failed startup and stops; the parent needs the user's own error and
traceback to show them (their code, their error), so the exception is kept on its
way through. The app behaves exactly as it does under uvicorn: an app that raises
before it answers the lifespan protocol at all is one that does not speak it
(uvicorn's ``lifespan="auto"``), and serves on.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class LifespanWatch:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: Why startup failed (the app said so, or raised after saying it); None if not.
        self.startup_error: BaseException | None = None
        self.startup_failed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watched_send(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                self.startup_failed = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except BaseException as error:
            if self.startup_failed:
                self.startup_error = error
            raise
