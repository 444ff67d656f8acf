#!/usr/bin/env python3
"""A JobCenter worker in Python 3, standard library only.

    JOBCENTER_SECRET=<the group's secret> PORT=9090 python3 worker.py

Serves the worker protocol (PROTOCOL.md sections 1 and 2):
  POST /jobs/hello          sync: the answer carries the result (GET triggers too)
  POST /jobs/report         async: 202 at once, then progress, log lines and the
                            result posted to the trigger's callback URL
  POST /jobs/<job>/cancel   {"runId": ...}: stops that run if it is in flight here
                            (200 {"cancelled": true}, or {"cancelled": false} for a run
                            it does not know)
A broadcast trigger carries "shard": {"index", "total"}; the report job takes only the
rows of its shard (shard_of, the same split as the Node SDK's shardOf).
Every request must carry X-JobCenter-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
with t within 5 minutes of this machine's clock.
"""

import hashlib
import hmac
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SEC = 300  # how far t may be from our clock, either way
CALLBACK_TIMEOUT_SEC = 10  # per progress or result request
RESULT_RETRIES = 8  # retries of a result report after the first attempt
MAX_BODY_BYTES = 1024 * 1024

SECRET = os.environ.get("JOBCENTER_SECRET", "")

# runId -> threading.Event set when JobCenter cancels the run
in_flight = {}
in_flight_lock = threading.Lock()


class Cancelled(Exception):
    pass


# --- signature ---------------------------------------------------------------

def verify_signature(secret, header, raw_body, now=None):
    """Returns None when the signature is valid, else why it is not."""
    if not header:
        return "signature_missing", "missing X-JobCenter-Signature header"
    t, v1 = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            t = value
        elif key == "v1":
            v1.append(value.lower())
    if t is None or not t.isdigit() or not v1:
        return "signature_malformed", "X-JobCenter-Signature must look like t=<unix seconds>,v1=<hex>"
    expected = hmac.new(secret.encode(), t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    # compare_digest is constant-time; check every v1 without stopping early.
    matches = [hmac.compare_digest(expected, candidate) for candidate in v1]
    if not any(matches):
        return "signature_mismatch", "signature does not match the body (wrong secret or altered body)"
    skew = (time.time() if now is None else now) - int(t)
    if abs(skew) > TOLERANCE_SEC:
        return "signature_expired", "signature timestamp is %d s off, beyond %d s" % (abs(skew), TOLERANCE_SEC)
    return None


# --- callbacks (executor -> JobCenter) ---------------------------------------

def post_callback(url, token, body):
    """POSTs JSON with the run token; returns the HTTP status, or None on a network error."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token},
    )
    try:
        with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SEC) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        log("callback %s failed: %s" % (url, error))
        return None


def report_progress(callback, progress=None, message=None, lines=None):
    body = {}
    if progress is not None:
        body["progress"] = max(0, min(100, progress))
    if message is not None:
        body["message"] = message
    if lines:
        body["log"] = list(lines)
    post_callback(callback["url"] + "/progress", callback["token"], body)  # best effort, no retry


def report_result(callback, result):
    """Posts the result, retrying network errors, 5xx, 408 and 429 with exponential backoff."""
    delay = 1.0
    for attempt in range(RESULT_RETRIES + 1):
        status = post_callback(callback["url"] + "/result", callback["token"], result)
        if status is not None and (200 <= status < 300 or status == 409):  # 409: already recorded
            return
        if status is not None and status < 500 and status not in (408, 429):
            log("result refused with %d; not retrying" % status)
            return
        if attempt < RESULT_RETRIES:
            time.sleep(delay / 2 + random.random() * delay / 2)
            delay = min(delay * 2, 60.0)
    log("gave up reporting the result after %d attempts" % (RESULT_RETRIES + 1))


# --- jobs --------------------------------------------------------------------

def shard_of(key, total):
    """Which of `total` shards owns `key`: a non-negative int as it is, a string by the
    32-bit FNV-1a hash of its UTF-8 bytes (the Node SDK's shardOf, so both split alike)."""
    if isinstance(key, int):
        return key % total
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % total


def shard_of_trigger(trigger):
    """This member's slice of a broadcast run; 0 of 1 otherwise."""
    shard = trigger.get("shard") if isinstance(trigger.get("shard"), dict) else {}
    index, total = shard.get("index", 0), shard.get("total", 1)
    if not isinstance(index, int) or not isinstance(total, int) or total < 1 or not 0 <= index < total:
        return 0, 1
    return index, total


def hello(trigger, cancelled):
    params = trigger.get("params") or {}
    name = params.get("name") if isinstance(params.get("name"), str) else "world"
    log("hello: run %s attempt %s" % (trigger["runId"], trigger.get("attempt")))
    return {"status": "succeeded", "output": {"greeting": "hello, " + name, "language": "python"}}


def report(trigger, cancelled):
    callback = trigger["callback"]
    steps = int((trigger.get("params") or {}).get("steps", 4))
    index, total = shard_of_trigger(trigger)
    # A broadcast run: each member takes the rows of its own shard.
    rows = [row for row in range(steps * 25) if shard_of(row, total) == index]
    report_progress(callback, lines=["report: run %s, %d steps, shard %d of %d" % (trigger["runId"], steps, index + 1, total)])
    for step in range(1, steps + 1):
        if cancelled.wait(0.5):  # sleeps half a second, wakes at once on cancel
            raise Cancelled("run %s was cancelled by JobCenter" % trigger["runId"])
        report_progress(callback, round(100 * step / steps), "step %d of %d" % (step, steps), ["finished step %d" % step])
    return {"status": "succeeded", "output": {"steps": steps, "rows": len(rows), "shard": {"index": index, "total": total}}}


# path -> (mode, function(trigger, cancelled_event) -> {"status", "message"?, "output"?})
JOBS = {
    "/jobs/hello": ("sync", hello),
    "/jobs/report": ("async", report),
}


def run_job(function, trigger, cancelled):
    try:
        return function(trigger, cancelled)
    except Exception as error:  # a failing job is a failed run, not a crashed worker
        return {"status": "failed", "message": str(error) or type(error).__name__}
    finally:
        with in_flight_lock:
            in_flight.pop(trigger["runId"], None)


def run_async(function, trigger, cancelled):
    report_result(trigger["callback"], run_job(function, trigger, cancelled))


# --- HTTP --------------------------------------------------------------------

class WorkerHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.serve("POST")

    def do_GET(self):
        self.serve("GET")

    def serve(self, method):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return self.answer_error(413, "body_too_large", "the body exceeds %d bytes" % MAX_BODY_BYTES)
        raw_body = self.rfile.read(length) if length else b""
        is_cancel = method == "POST" and path.endswith("/cancel") and path[: -len("/cancel")] in JOBS
        if path not in JOBS and not is_cancel:
            return self.answer_error(404, "not_found", "no job is registered at " + path)
        problem = verify_signature(SECRET, self.headers.get("X-JobCenter-Signature"), raw_body)
        if problem:
            return self.answer_error(401, *problem)
        if is_cancel:
            return self.cancel(raw_body)
        mode, function = JOBS[path]
        if method == "GET":
            # A GET trigger: no body, the run travels in the headers, no callback (so it runs sync).
            run_id = self.headers.get("X-JobCenter-Run")
            if not run_id:
                return self.answer_error(400, "invalid_trigger", "a GET trigger needs X-JobCenter-Run")
            attempt = self.headers.get("X-JobCenter-Attempt", "1")
            trigger = {"runId": run_id, "attempt": int(attempt) if attempt.isdigit() else 1, "params": {}}
        else:
            try:
                trigger = json.loads(raw_body)
            except ValueError as error:
                return self.answer_error(400, "invalid_json", "the body is not valid JSON: %s" % error)
            if not isinstance(trigger, dict) or not isinstance(trigger.get("runId"), str):
                return self.answer_error(400, "invalid_trigger", 'the trigger body needs a string "runId"')
        cancelled = threading.Event()
        with in_flight_lock:
            if trigger["runId"] in in_flight and mode == "async":
                # A later attempt of a run already executing here: do not run it twice.
                return self.answer(202, {"runId": trigger["runId"], "accepted": True})
            in_flight[trigger["runId"]] = cancelled
        if mode == "async" and isinstance(trigger.get("callback"), dict):
            self.answer(202, {"runId": trigger["runId"], "accepted": True})
            threading.Thread(target=run_async, args=(function, trigger, cancelled)).start()
        else:
            self.answer(200, run_job(function, trigger, cancelled))

    def cancel(self, raw_body):
        try:
            run_id = json.loads(raw_body).get("runId")
        except (ValueError, AttributeError):
            return self.answer_error(400, "invalid_json", 'the cancel body must be {"runId": "..."}')
        if not isinstance(run_id, str) or not run_id:
            return self.answer_error(400, "invalid_trigger", 'the cancel body needs a string "runId"')
        with in_flight_lock:
            event = in_flight.get(run_id)
        if event is None:
            # Not running here is what JobCenter asked for; a 404 would look like a missing job path.
            return self.answer(200, {"runId": run_id, "cancelled": False, "reason": "unknown run"})
        event.set()
        self.answer(200, {"runId": run_id, "cancelled": True})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer_error(self, status, code, message):
        self.answer(status, {"error": {"code": code, "message": message}})

    def log_message(self, format, *args):
        log("%s %s" % (self.address_string(), format % args))


def log(line):
    print("[python-worker] " + line, file=sys.stderr, flush=True)


def main():
    if not SECRET:
        sys.exit("worker.py: set JOBCENTER_SECRET to the worker group secret (shown when the group is created)")
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "9090"))
    server = ThreadingHTTPServer((host, port), WorkerHandler)
    # shutdown() blocks until serve_forever returns, so call it from another thread.
    # Async runs use non-daemon threads: the interpreter waits for them (and their
    # result reports) before it exits.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log("listening on http://%s:%d (%s)" % (host, port, ", ".join(JOBS)))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    log("stopped taking runs; runs in flight finish and report before exit")


if __name__ == "__main__":
    main()
