"""ServerTarget: what the window's server hosts, the built-in styles or the user's app,
and the port it listens on."""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.model.settings import AppTarget

#: Ports a server of ours may be asked to listen on; 0 is any free one.
PORTS = (1, 65_535)


@dataclass(frozen=True)
class ServerTarget:
    """``app`` None: the built-in styles. ``port`` 0: any free port of 127.0.0.1."""

    app: AppTarget | None = None
    port: int = 0

    @property
    def is_app(self) -> bool:
        return self.app is not None

    def describe(self) -> str:
        """``shop.main:app`` or ``the built-in styles``, for titles and messages."""
        return self.app.target if self.app is not None else "the built-in styles"
