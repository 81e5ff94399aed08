/**
 * Runs every benchmark in sequence, each in its own Node process with its own throwaway Neo4j
 * (or NEO4J_URI), and exits non-zero when one fails.
 *
 *   npm run bench            # = npm run build && node dist/bench/run-all.js
 *   node dist/bench/run-all.js [--only import|nested-query|ingest|live-latency|impact|simulation|backfill]
 */
import './production';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, now, out, table } from './lib';

const BENCHMARKS = [
  'import',
  'nested-query',
  'ingest',
  'live-latency',
  'impact',
  'simulation',
  'backfill',
] as const;

let current: ChildProcess | undefined;

function run(name: string): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, `${name}.js`)], { stdio: 'inherit' });
    current = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve({ code, signal });
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
  const selected = values.only ?? [...BENCHMARKS];
  const unknown = selected.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench/run-all: unknown benchmark(s) ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}\n`,
    );
    return 2;
  }
  const results: string[][] = [];
  let failed = 0;
  for (const name of selected) {
    out(`\n######## bench/${name} ########`);
    const t0 = now();
    const { code, signal } = await run(name);
    const ok = code === 0;
    if (!ok) failed += 1;
    results.push([name, ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`, fmt.s(now() - t0)]);
    if (signal === 'SIGINT' || signal === 'SIGTERM') break;
  }
  out('\n######## summary ########');
  for (const line of table(['benchmark', 'result', 'wall time'], results)) out(line);
  return failed === 0 ? 0 : 1;
}

// The child cleans up its own Neo4j: pass the signal on and let it finish.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (current) current.kill(signal);
    else process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench/run-all failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
