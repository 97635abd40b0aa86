"""A local WebSocket server standing in for Slack's Socket Mode endpoint.

`apps.connections.open` on the Web API stub hands out `url`; the app connects, gets a `hello`,
then the envelopes a test delivers; every acknowledgement the app sends back is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.sync.server import ServerConnection, serve


class SocketModeStub:
    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._conn: ServerConnection | None = None
        self._connected = threading.Event()
        self._changed = threading.Condition()
        self.server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link/?ticket=kaikaku-test"

    def __enter__(self) -> SocketModeStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    def _session(self, conn: ServerConnection) -> None:
        conn.send(json.dumps({"type": "hello", "num_connections": 1,
                              "debug_info": {"host": "applink-kaikaku-test", "approximate_connection_time": 18060},
                              "connection_info": {"app_id": "A0KAIKAKU"}}))
        self._conn = conn
        self._connected.set()
        for message in conn:
            with self._changed:
                self.acks.append(json.loads(message))
                self._changed.notify_all()

    def deliver(self, payload: dict[str, Any], kind: str = "events_api", retry_attempt: int = 0,
                envelope_id: str | None = None) -> str:
        """Send one envelope (events_api, interactive or slash_commands); its envelope id."""
        if not self._connected.wait(10) or self._conn is None:
            raise AssertionError("the app did not connect over Socket Mode")
        envelope_id = envelope_id or f"env-{next(self._ids):04d}-kaikaku"
        self._conn.send(json.dumps({
            "envelope_id": envelope_id, "payload": payload, "type": kind,
            "accepts_response_payload": kind != "events_api", "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else ""}, ensure_ascii=False))
        return envelope_id

    def ack_of(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [a for a in self.acks if a.get("envelope_id") == envelope_id]
                if found:
                    return found[0]
                if time.monotonic() > deadline:
                    raise AssertionError(f"no ack for {envelope_id}")
                self._changed.wait(0.05)
