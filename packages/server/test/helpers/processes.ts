/**
 * Real processes for end-to-end tests: executor workers and `jobcenter
 * serve`. Every process started here is tracked, and `stopAll()` (called by
 * the afterEach guard) kills what a test left running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const live = new Set<ChildProcess>();

export const CLI = fileURLToPath(new URL('../../bin/jobcenter.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../fixtures/worker.mjs', import.meta.url));

export interface Started {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<{ match: RegExpMatchArray; output: () => string }> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve({ match, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${pattern}; output:\n${output}`));
    });
  });
}

function track(child: ChildProcess, port: number, url: string, output: () => string): Started {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return {
    child,
    port,
    url,
    output,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** Starts any program and waits for a line matching `ready` on stdout or stderr. */
export async function startProgram(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  url: string,
): Promise<Started> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${ready}; output:\n${output}`)),
      15_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before it was ready; output:\n${output}`));
    });
  });
  return track(child, Number(new URL(url).port), url, () => output);
}

/** Starts the fixture worker on a free loopback port (or `port`). */
export async function startWorker(name = 'worker', port = 0): Promise<Started> {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, PORT: String(port), WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { match, output } = await waitForLine(child, /listening (\d+)/, 10_000);
  const bound = Number(match[1]);
  return track(child, bound, `http://127.0.0.1:${bound}`, output);
}

/** Starts `jobcenter serve` (the built CLI) with a config file and environment. */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...process.env, JOBCENTER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { match, output } = await waitForLine(child, /listening on (http:\/\/[^\s]+)/, 20_000);
  const url = match[1] as string;
  return track(child, Number(new URL(url).port), url, output);
}

/** Kills every process a test left running; answers how many there were. */
export async function stopAll(): Promise<number> {
  const left = [...live];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  return left.length;
}

/** What the worker received so far. */
export async function received(worker: Started): Promise<ReceivedRequest[]> {
  const res = await fetch(`${worker.url}/_received`);
  return (await res.json()) as ReceivedRequest[];
}

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  raw: string;
  body: Record<string, unknown> | null;
  worker: string;
}
