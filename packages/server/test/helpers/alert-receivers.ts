import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { writeTestCertificate } from './certificate.js';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  /** The raw body, as sent. */
  body: string;
}

export type Answer = { status: number; body: string; contentType?: string } | 'hang';

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  /** How the next requests are answered (default 200 `{"errcode":0,"code":0}`). */
  answer(next: Answer | ((req: ReceivedRequest) => Answer)): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let answerWith: Answer | ((req: ReceivedRequest) => Answer) = {
    status: 200,
    body: '{"errcode":0,"code":0}',
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const answer = typeof answerWith === 'function' ? answerWith(received) : answerWith;
      if (answer === 'hang') return; // never answers; close() cuts the connection
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      answerWith = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** True when the mail came over TLS (implicit or after STARTTLS). */
  secure: boolean;
  user: string | null;
  parsed: ParsedMail;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** 'starttls': offers STARTTLS; 'implicit': TLS from the first byte; 'none': no TLS at all. */
  tls: 'starttls' | 'implicit' | 'none';
  /** When set, AUTH is required and must match. */
  auth?: { user: string; password: string };
  /** Refuses recipients: the SMTP reply code to answer RCPT TO with. */
  refuseRecipient?: { code: number; message: string };
  /** A port to listen on (to bring a server back on the port a channel knows). */
  port?: number;
}

let certificate: { key: Buffer; cert: Buffer } | null = null;

/** A self-signed certificate for 127.0.0.1, made once per test process with openssl. */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'jc-smtp-cert-'));
  try {
    writeTestCertificate(dir);
    certificate = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const tlsOptions: Partial<SMTPServerOptions> = options.tls === 'none' ? {} : testCertificate();
  const server = new SMTPServer({
    ...tlsOptions,
    secure: options.tls === 'implicit',
    disabledCommands: [...(options.tls === 'none' ? ['STARTTLS'] : []), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onRcptTo(_address, _session, callback) {
      const refuse = options.refuseRecipient;
      if (refuse) callback(Object.assign(new Error(refuse.message), { responseCode: refuse.code }));
      else callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : null,
            parsed,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
