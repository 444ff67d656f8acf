/**
 * The trivial executor, run as its own process (forked with an IPC channel):
 * node:http with long keep-alive, answers every POST at once with
 * 200 {"status":"succeeded"} (or "failed" with --fail). For each trigger it records the receipt time
 * (when the request's headers arrived), the body's jobId, scheduledAt, runId
 * and attempt. Requests to /ceiling are answered the same way but not
 * recorded (the raw HTTP ceiling is measured against them).
 *
 * IPC: sends {type:'ready', port}; answers {type:'dump', file} by writing
 * the records as TSV (jobId, scheduledAtMs, receivedAtMs, runId, attempt)
 * and replying {type:'dumped', count}; {type:'count'} replies the counts.
 * Exits when the parent goes away.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const record = process.argv.includes('--record');
// --fail: every run fails (for the alerting comparison: each failure is an alert event).
const ANSWER = Buffer.from(
  process.argv.includes('--fail') ? '{"status":"failed"}' : '{"status":"succeeded"}',
);
const HEADERS = { 'content-type': 'application/json', 'content-length': String(ANSWER.length) };

let cap = 1 << 16;
let len = 0;
let received = new Float64Array(cap);
let scheduled = new Float64Array(cap);
let attempts = new Uint16Array(cap);
let jobIds = [];
let runIds = [];
let triggers = 0;
let bad = 0;

function grow() {
  cap *= 2;
  const r = new Float64Array(cap);
  r.set(received);
  received = r;
  const s = new Float64Array(cap);
  s.set(scheduled);
  scheduled = s;
  const a = new Uint16Array(cap);
  a.set(attempts);
  attempts = a;
}

const origin = performance.timeOrigin;
const server = createServer((req, res) => {
  const at = origin + performance.now();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url !== '/ceiling') {
      triggers++;
      if (record) {
        try {
          const body = JSON.parse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
          if (len === cap) grow();
          received[len] = at;
          scheduled[len] = Date.parse(body.scheduledAt);
          attempts[len] = body.attempt ?? 0;
          jobIds.push(body.jobId);
          runIds.push(body.runId);
          len++;
        } catch {
          bad++;
        }
      }
    } else if (chunks.length > 0) {
      JSON.parse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    }
    res.writeHead(200, HEADERS);
    res.end(ANSWER);
  });
});
server.keepAliveTimeout = 600_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: server.address().port });
});

process.on('message', (msg) => {
  if (msg?.type === 'dump') {
    const lines = new Array(len);
    for (let i = 0; i < len; i++) {
      lines[i] = `${jobIds[i]}\t${scheduled[i]}\t${received[i].toFixed(3)}\t${runIds[i]}\t${attempts[i]}`;
    }
    writeFileSync(msg.file, lines.join('\n'));
    process.send({ type: 'dumped', count: len, triggers, bad });
  } else if (msg?.type === 'count') {
    process.send({ type: 'count', count: len, triggers, bad });
  } else if (msg?.type === 'reset') {
    len = 0;
    jobIds = [];
    runIds = [];
    triggers = 0;
    process.send({ type: 'reset' });
  }
});
process.on('disconnect', () => process.exit(0));
