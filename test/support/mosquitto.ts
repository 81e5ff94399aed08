/**
 * A real Mosquitto broker for tests, started from the Debian package (`apt-get install -y
 * mosquitto`), on 127.0.0.1 and a port of its own, with its config, log and persistence file in a
 * private temp dir. It is never left behind: stop() kills it, and so does the exit of this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as mqttConnect } from 'mqtt';

export interface MosquittoOptions {
  /** Port to listen on; 0 (the default) picks a free one, kept across restart(). */
  port?: number;
  /**
   * Keep sessions, subscriptions and queued QoS 1/2 messages across restart() (default true), as
   * a production broker would. The database is written when the broker stops (SIGTERM), so a
   * kill() loses everything since the start, like a crash before the first autosave. With false,
   * a restart forgets every persistent session (clients get `sessionPresent: false`).
   */
  persistence?: boolean;
  /** How long start and restart wait for the broker to accept an MQTT CONNECT (default 15 s). */
  startTimeoutMs?: number;
}

export interface MosquittoHandle {
  url: string;
  port: number;
  /** Where the broker logs (connections, subscriptions, errors): read it when a test fails. */
  logFile: string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s) and removal of the temp dir; idempotent. */
  stop(): Promise<void>;
  /** Stop (if running) then start again on the same port and temp dir; resolves when ready. */
  restart(): Promise<void>;
  /** SIGKILL, to simulate a crash; restart() brings the broker back. */
  kill(): void;
}

const INSTALL_HINT = 'install it with `apt-get install -y mosquitto mosquitto-clients`';
const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** The broker binary: Debian's /usr/sbin (often not on a user's PATH), else PATH. */
export function findMosquitto(): string | undefined {
  const candidates = [
    '/usr/sbin/mosquitto',
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'mosquitto')),
  ];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** A port that was free a moment ago (bind 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

function config(dir: string, port: number, persistence: boolean): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `persistence ${persistence}`,
    `persistence_location ${dir}/`,
    // Never write the database in the middle of a test; only on a graceful stop.
    'autosave_interval 0',
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_type subscribe',
    'log_type unsubscribe',
    'connection_messages true',
    'log_timestamp_format %H:%M:%S',
    // Load tests push tens of thousands of QoS 1 messages; the defaults (20 in flight, 1000
    // queued per client) would drop messages for a slow subscriber.
    'max_inflight_messages 0',
    'max_queued_messages 100000',
    'set_tcp_nodelay true',
    // As root, Mosquitto drops to the `mosquitto` user, which cannot write to our temp dir.
    `user ${userInfo().username}`,
    '',
  ].join('\n');
}

async function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function mqttAnswers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = mqttConnect(url, { reconnectPeriod: 0, connectTimeout: 2000, clean: true });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve(ok);
    };
    client.once('connect', () => done(true));
    client.once('error', () => done(false));
    client.once('close', () => done(false));
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const binary = findMosquitto();
  if (!binary) {
    throw new Error(
      `Mosquitto is not installed (no /usr/sbin/mosquitto, none on PATH); ${INSTALL_HINT}`,
    );
  }
  installExitHook();
  const persistence = options.persistence ?? true;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  let dir = '';
  let child: ChildProcess | undefined;
  const logFile = () => join(dir, 'mosquitto.log');

  const makeDir = async () => {
    dir = mkdtempSync(join(tmpdir(), 'twin-mosquitto-'));
    dirs.add(dir);
    await writeFile(join(dir, 'mosquitto.conf'), config(dir, port, persistence));
  };

  const launch = async (): Promise<void> => {
    // stderr goes to a file, not a pipe, so the child holds nothing open in this process.
    const stderrFd = openSync(join(dir, 'stderr.log'), 'a');
    const proc = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'ignore', stderrFd],
    });
    closeSync(stderrFd);
    child = proc;
    live.add(proc);
    proc.unref();
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      exited = signal ? `signal ${signal}` : `exit code ${String(code)}`;
    });
    proc.once('error', (err) => {
      live.delete(proc);
      exited = err.message;
    });
    const failure = (why: string) =>
      new Error(
        `Mosquitto (${binary}) on port ${port} ${why}\n--- stderr ---\n${tail(join(dir, 'stderr.log'))}` +
          `\n--- ${logFile()} ---\n${tail(logFile())}`,
      );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited !== undefined) throw failure(`exited during start-up (${exited})`);
      if ((await tcpAccepts(port)) && (await mqttAnswers(url))) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw failure(`did not accept an MQTT CONNECT within ${timeoutMs} ms`);
      }
      await sleep(50);
    }
  };

  const stopProcess = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await makeDir();
  try {
    await launch();
  } catch (err) {
    await stopProcess();
    throw err;
  }

  return {
    url,
    port,
    get logFile() {
      return logFile();
    },
    async stop() {
      await stopProcess();
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
      }
    },
    async restart() {
      await stopProcess();
      if (!dirs.has(dir)) await makeDir(); // after stop(): a fresh broker, nothing persisted
      await launch();
    },
    kill() {
      child?.kill('SIGKILL');
    },
  };
}
