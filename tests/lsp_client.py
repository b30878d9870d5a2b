"""A minimal Language Server Protocol client over stdio, for tests that drive real language servers."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence


class LspClient:
    """Starts a server process and speaks JSON-RPC to it with Content-Length framing.

    Messages from the server are read on a thread into a queue; `request` waits for its response (answering
    the server's own requests, such as workspace/configuration, on the way), `wait_for` for a notification.
    """

    def __init__(self, command: Sequence[str], cwd: Optional[str] = None,
                 settings: Optional[Dict[str, Any]] = None, env: Optional[Dict[str, str]] = None) -> None:
        self.process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=cwd, env=env)
        self.settings = settings or {}
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.seen: List[Dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: List[bytes] = []
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: Dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def _next(self, deadline: float) -> Dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the language server did not answer in time; stderr: "
                               + b"".join(self.stderr).decode("utf-8", "replace")[-2000:])
        try:
            message = self.messages.get(timeout=remaining)
        except queue.Empty:
            return self._next(deadline)
        if "id" in message and "method" in message:  # the server asks us something
            self._answer(message)
        self.seen.append(message)
        return message

    def _answer(self, message: Dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self.settings.get(item.get("section", ""), None) for item in message["params"]["items"]]
        self.send({"id": message["id"], "result": result})

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == ident and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return message.get("result")

    def wait_for(self, method: str, match: Callable[[Any], bool] = lambda params: True,
                 timeout: float = 60) -> Any:
        for message in self.seen:  # it may have come while waiting for something else
            if message.get("method") == method and match(message.get("params")):
                self.seen.remove(message)
                return message["params"]
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("method") == method and match(message.get("params")):
                self.seen.remove(message)
                return message["params"]

    def initialize(self, root: str) -> Any:
        uri = "file://" + os.path.abspath(root)
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "plans"}],
            "capabilities": {"textDocument": {"publishDiagnostics": {},
                                              "hover": {"contentFormat": ["markdown", "plaintext"]},
                                              "completion": {"completionItem": {"snippetSupport": False}},
                                              "synchronization": {"didSave": True}},
                             "workspace": {"configuration": True, "workspaceFolders": True}}})
        self.notify("initialized", {})
        return result

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.process.wait(timeout=10)
        except Exception:
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
