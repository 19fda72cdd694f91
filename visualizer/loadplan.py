"""LoadPlan: what the load generator is told to do, as one line of JSON on its stdin."""

from __future__ import annotations

import json
from dataclasses import dataclass

from visualizer.model.settings import RunSettings


@dataclass(frozen=True)
class LoadPlan:
    """Where to send, and the run's settings."""

    port: int
    settings: RunSettings

    def to_json(self) -> str:
        return json.dumps({"port": self.port, "settings": self.settings.to_dict()})

    @classmethod
    def from_json(cls, text: str | bytes) -> LoadPlan:
        data = json.loads(text)
        return cls(port=int(data["port"]), settings=RunSettings.from_dict(data["settings"]))
