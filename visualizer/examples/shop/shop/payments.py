"""The shop's side of the payments service: starting it, charging a card, sending a receipt.

The service (``payments_service.py``) runs in a process of its own, started at the
app's startup and stopped at its shutdown, and is reached over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

_SERVICE_SCRIPT = Path(__file__).with_name("payments_service.py")


class PaymentsService:
    """The payments service's process, and where it listens."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process = process
        self.url = url

    @classmethod
    def start(cls) -> PaymentsService:
        """Start the service and wait for the port it listens on (its first line)."""
        process = subprocess.Popen(
            [sys.executable, str(_SERVICE_SCRIPT)],
            stdin=subprocess.PIPE,  # closing it, or our exit, ends the service
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            process.kill()
            process.wait()
            raise RuntimeError(f"the payments service did not start (it said {port!r})")
        return cls(process, f"http://127.0.0.1:{int(port)}")

    def stop(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


class Payments:
    """The shop's clients of the payments service, one of each for the app's whole life
    (a new client builds an SSL context: ~20 ms of CPU)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.AsyncClient(base_url=url, timeout=10.0)
        # For the receipts, which are sent from worker threads (see send_receipt).
        self._sync_client = httpx.Client(base_url=url, timeout=10.0)

    async def charge(self, customer_id: int, amount_cents: int) -> str:
        """Charge the customer's card; the charge's id."""
        # Awaited: while the service takes its 40 ms, the loop serves other requests.
        response = await self._client.post(
            "/v1/charges", json={"customer": customer_id, "amount": amount_cents}
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def send_receipt(self, charge_id: str, email: str) -> None:
        """Ask the payments service to email the receipt of a charge.

        A blocking call (20 ms) in a plain ``def``: as a background task Starlette runs
        it on a threadpool worker, after the response has gone, so it holds a worker,
        never the loop. Made ``async def`` with this same sync call inside, it would run
        on the loop and freeze it for those 20 ms, response sent or not.
        """
        response = self._sync_client.post(
            "/v1/receipts", json={"charge": charge_id, "email": email}
        )
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._client.aclose()
        self._sync_client.close()
