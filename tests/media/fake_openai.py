"""A local fake of OpenAI's Chat Completions API (`POST /v1/chat/completions`) for the
real SDK.

It answers with OpenAI's JSON (id, object "chat.completion", choices[].message, usage).
It does not think: asked for chapters, it reads the `[seconds] text` lines of the
transcript it is sent and makes one chapter per line, titled with the line's first words,
and a summary from the first line; `answers` replaces that with given message contents,
`failures` with error responses, for the next calls.
"""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk-test-outline"
LINE = re.compile(r"^\[(\d+(?:\.\d+)?)\] (.*)$", re.M)


@dataclass
class FakeOpenAI:
    url: str = ""
    requests: list[dict] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    failures: list[tuple[int, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def chapters_answer(transcript: str) -> str:
    lines = LINE.findall(transcript)
    chapters = [
        {"start": float(start), "title": " ".join(text.split()[:4]).rstrip(",.")}
        for start, text in lines
    ]
    summary = lines[0][1] if lines else ""
    return json.dumps({"summary": summary, "chapters": chapters})


def completion(model: str, content: str) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        "system_fingerprint": "fp_test",
    }


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            with fake.lock:
                fake.requests.append({"path": self.path, "body": body})
                failure = fake.failures.pop(0) if fake.failures else None
                answer = fake.answers.pop(0) if fake.answers else None
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                error = {"message": "Incorrect API key provided.", "type": "invalid_request_error"}
                return self._send(401, {"error": {**error, "code": "invalid_api_key"}})
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": self.path, "type": "not_found"}})
            if failure is not None:
                return self._send(*failure)
            user = next(m["content"] for m in body["messages"] if m["role"] == "user")
            content = answer if answer is not None else chapters_answer(user)
            return self._send(200, completion(body["model"], content))

    return Handler


def start() -> tuple[FakeOpenAI, ThreadingHTTPServer]:
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
