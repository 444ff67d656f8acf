/**
 * A worker process serving several members (one node:http server per port,
 * on 127.0.0.1), each in a mode the bench sets over IPC:
 *
 *   ok       200 {"status":"succeeded"} at once
 *   error    500
 *   busy     409
 *   hang     never answers (JobCenter's response timeout ends the attempt)
 *   drop     destroys the connection once the request has arrived
 *   silent   202, and never calls back (the run becomes lost at its deadline)
 *   refused  the port stops listening and its open connections are closed
 *
 * For each trigger it records: receipt time (request headers arrived),
 * the body's jobId, scheduledAt, runId and attempt, the member's index and
 * the answer given (200, 202, 409, 500; 0 for hang and drop).
 *
 * argv: --members N --first-index I.
 * IPC: sends {type:'ready', ports}; {type:'modes', modes: {<index>: mode}} →
 * {type:'moded'}; {type:'dump', file} writes TSV (jobId, scheduledAtMs,
 * receivedAtMs, runId, attempt, member index, answer) and replies
 * {type:'dumped', count, bad}. Exits when the parent goes away.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { members: { type: 'string' }, 'first-index': { type: 'string' } },
});
const count = Number(values.members ?? 5);
const firstIndex = Number(values['first-index'] ?? 0);

const OK = Buffer.from('{"status":"succeeded"}');
const ACCEPTED = Buffer.from('{"accepted":true}');
const BUSY = Buffer.from('{"busy":true}');
const ERROR = Buffer.from('{"error":"internal"}');
const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
};

let cap = 1 << 16;
let len = 0;
let received = new Float64Array(cap);
let scheduled = new Float64Array(cap);
let attempts = new Uint16Array(cap);
let memberOf = new Uint16Array(cap);
let answers = new Uint16Array(cap);
const jobIds = [];
const runIds = [];
let bad = 0;

function grow() {
  cap *= 2;
  const copy = (Type, old) => {
    const next = new Type(cap);
    next.set(old);
    return next;
  };
  received = copy(Float64Array, received);
  scheduled = copy(Float64Array, scheduled);
  attempts = copy(Uint16Array, attempts);
  memberOf = copy(Uint16Array, memberOf);
  answers = copy(Uint16Array, answers);
}

const ANSWER_OF = { ok: 200, silent: 202, busy: 409, error: 500, hang: 0, drop: 0 };
const origin = performance.timeOrigin;

function record(at, member, answer, raw) {
  try {
    const body = JSON.parse(raw);
    if (len === cap) grow();
    received[len] = at;
    scheduled[len] = Date.parse(body.scheduledAt);
    attempts[len] = body.attempt ?? 0;
    memberOf[len] = member;
    answers[len] = answer;
    jobIds.push(body.jobId);
    runIds.push(body.runId);
    len++;
  } catch {
    bad++;
  }
}

/** One member: its server, port and mode. */
function member(index) {
  const m = { index, mode: 'ok', port: 0, listening: false, server: null };
  m.server = createServer((req, res) => {
    const at = origin + performance.now();
    const mode = m.mode;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      record(at, index, ANSWER_OF[mode] ?? 0, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      switch (mode) {
        case 'silent':
          return json(res, 202, ACCEPTED);
        case 'busy':
          return json(res, 409, BUSY);
        case 'error':
          return json(res, 500, ERROR);
        case 'hang':
          return;
        case 'drop':
          req.socket.destroy();
          return;
        default:
          return json(res, 200, OK);
      }
    });
  });
  m.server.keepAliveTimeout = 600_000;
  m.server.headersTimeout = 0;
  m.server.requestTimeout = 0;
  m.server.maxRequestsPerSocket = 0;
  return m;
}

function listen(m) {
  return new Promise((resolve, reject) => {
    m.server.once('error', reject);
    m.server.listen(m.port, '127.0.0.1', () => {
      m.server.off('error', reject);
      m.port = m.server.address().port;
      m.listening = true;
      resolve();
    });
  });
}

function refuse(m) {
  if (!m.listening) return Promise.resolve();
  m.listening = false;
  return new Promise((resolve) => {
    m.server.close(() => resolve());
    m.server.closeAllConnections();
  });
}

const members = Array.from({ length: count }, (_, i) => member(firstIndex + i));
for (const m of members) await listen(m);
process.send?.({ type: 'ready', ports: members.map((m) => m.port) });

process.on('message', async (msg) => {
  if (msg?.type === 'modes') {
    for (const m of members) {
      const mode = msg.modes[m.index] ?? 'ok';
      if (mode === 'refused') await refuse(m);
      else if (!m.listening) await listen(m);
      m.mode = mode;
    }
    process.send({ type: 'moded' });
  } else if (msg?.type === 'dump') {
    const lines = new Array(len);
    for (let i = 0; i < len; i++) {
      lines[i] =
        `${jobIds[i]}\t${scheduled[i]}\t${received[i].toFixed(3)}\t${runIds[i]}\t${attempts[i]}\t${memberOf[i]}\t${answers[i]}`;
    }
    writeFileSync(msg.file, lines.join('\n'));
    process.send({ type: 'dumped', count: len, bad });
  } else if (msg?.type === 'reset') {
    len = 0;
    jobIds.length = 0;
    runIds.length = 0;
    bad = 0;
    process.send({ type: 'reset' });
  }
});
process.on('disconnect', () => process.exit(0));
