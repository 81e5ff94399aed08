import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_KEY } from './credentials';
import { waitFor } from './live';

/*
 * The compiled server (`dist/src/main.js`, built by `npm test`) as a child process: what the tests
 * of signals, restarts and several instances start. Its stderr is kept for failure messages.
 */

/** The history files of this test file's child servers: out of the working tree, kept across restarts. */
const HISTORY_DIR = join(tmpdir(), `twin-graph-test-history-${process.pid}`);

export interface ChildServer {
  child: ChildProcess;
  stderr: () => string;
}

/** Starts `dist/src/main.js` with the suite's Neo4j and broker, the test admin key and `env`. */
export function startServer(env: Record<string, string>): ChildServer {
  const main = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
  expect(existsSync(main)).toBe(true); // npm test builds first
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '',
      TWIN_ADMIN_KEY: TEST_ADMIN_KEY,
      NEO4J_URI: process.env['NEO4J_URI'] ?? '',
      NEO4J_USER: process.env['NEO4J_USER'] ?? 'neo4j',
      NEO4J_PASSWORD: process.env['NEO4J_PASSWORD'] ?? '',
      MQTT_URL: process.env['MQTT_URL'] ?? '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      PLAYGROUND: 'false',
      HISTORY_DIR,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stderr: () => stderr };
}

/** Waits until the child server answers /readyz with 200 (its last log lines in the failure). */
export async function serverReady(port: number, server: { stderr: () => string }): Promise<void> {
  await waitFor(
    `the server ready (${server.stderr().slice(-2000)})`,
    async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
    30_000,
  );
}

/** The exit code once the child has ended (null when a signal ended it). */
export async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
