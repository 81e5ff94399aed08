/**
 * Shared plumbing of the benchmarks: a throwaway Neo4j (or NEO4J_URI), timing, statistics,
 * formatting, and a main() wrapper that always cleans up and exits with a clear status.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Graph } from '../src/graph/executor';
import { projectRoot } from '../src/paths';
import { Migrator } from '../src/graph/migrations';
import { logger } from '../src/log';

export interface BenchNeo4j {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** 'env': NEO4J_URI given by the caller; 'launcher': a throwaway local Neo4j started here. */
  source: 'env' | 'launcher';
  /** Stops a launched Neo4j and deletes its temporary store; nothing for NEO4J_URI. */
  stop(): Promise<void>;
}

interface LocalNeo4j {
  uri: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

interface LauncherModule {
  startLocalNeo4j(options: {
    heap?: string;
    pagecache?: string;
    log?: (message: string) => void;
  }): Promise<LocalNeo4j>;
}

function isLauncherModule(value: unknown): value is LauncherModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'startLocalNeo4j' in value &&
    typeof value.startLocalNeo4j === 'function'
  );
}

/** Progress notes go to stderr so that stdout holds only the figures. */
export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Figures: stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * NEO4J_URI when set (NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE as for the server), else a real
 * local Neo4j 5.26 started by scripts/neo4j-local-lib.mjs in a temp dir that `stop()` deletes.
 */
export async function startBenchNeo4j(options: {
  heap: string;
  pagecache: string;
}): Promise<BenchNeo4j> {
  const env = process.env;
  const database = env['NEO4J_DATABASE'] || 'neo4j';
  const envUri = env['NEO4J_URI'];
  if (envUri) {
    note(`using NEO4J_URI=${envUri} (heap/page cache are whatever that server has)`);
    return {
      uri: envUri,
      user: env['NEO4J_USER'] ?? 'neo4j',
      password: env['NEO4J_PASSWORD'] ?? '',
      database,
      source: 'env',
      stop: async () => {},
    };
  }
  const lib = join(projectRoot(), 'scripts', 'neo4j-local-lib.mjs');
  // module node16: this stays a real dynamic import() in the CommonJS output.
  const mod: unknown = await import(pathToFileURL(lib).href);
  if (!isLauncherModule(mod)) throw new Error(`${lib} does not export startLocalNeo4j`);
  note(`starting a throwaway local Neo4j (heap ${options.heap}, page cache ${options.pagecache})`);
  const started = await mod.startLocalNeo4j({
    heap: options.heap,
    pagecache: options.pagecache,
    log: (m) => note(`neo4j-local: ${m}`),
  });
  return {
    uri: started.uri,
    user: 'neo4j',
    password: '',
    database,
    source: 'launcher',
    stop: async () => {
      await started.stop();
      if (existsSync(started.dataDir)) {
        throw new Error(`the temporary Neo4j store ${started.dataDir} was not deleted`);
      }
      note(`stopped Neo4j (pid ${started.pid}) and deleted ${started.dataDir}`);
    },
  };
}

/** The server's NEO4J_* settings for the benchmark's database, to spread into loadConfig. */
export function neo4jSettings(db: BenchNeo4j) {
  return {
    NEO4J_URI: db.uri,
    NEO4J_USER: db.user,
    NEO4J_PASSWORD: db.password,
    NEO4J_DATABASE: db.database,
  };
}

export function connectGraph(db: BenchNeo4j): Graph {
  return Graph.connect({
    uri: db.uri,
    user: db.user,
    password: db.password,
    database: db.database,
  });
}

/** A bare driver for the hand-written baselines (bench/ may import neo4j-driver directly). */
export function connectDriver(db: BenchNeo4j): Driver {
  return neo4j.driver(db.uri, neo4j.auth.basic(db.user, db.password), {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: 50,
    logging: { level: 'error', logger: (_level, message) => note(`[neo4j-driver] ${message}`) },
  });
}

/** Applies the product's migrations (constraints, indexes), as the server does at start. */
export async function migrate(graph: Graph): Promise<void> {
  const migrations = new Migrator(graph, {
    dir: join(projectRoot(), 'migrations'),
    log: logger('migrate'),
  });
  const result = await migrations.migrate();
  note(
    result.applied.length > 0
      ? `applied migrations: ${result.applied.join(', ')}`
      : `schema up to date (${result.alreadyApplied} migrations)`,
  );
}

const TWINS = 'NOT n:__Migration AND NOT n:__MigrationLock';

/** Deletes every twin (nodes and relationships), keeping the schema and the migration chain. */
export async function wipeTwins(graph: Graph): Promise<void> {
  await graph.autoCommit(
    `MATCH (n) WHERE ${TWINS} CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
  );
}

export interface GraphStats {
  nodes: number;
  rels: number;
  nodeProps: number;
  relProps: number;
}

/** Counts of the twin graph, with property counts: enough to tell two writes apart. */
export async function graphStats(graph: Graph): Promise<GraphStats> {
  const rows = await graph.read(
    `CALL () { MATCH (n) WHERE ${TWINS} RETURN count(n) AS nodes, sum(size(keys(n))) AS nodeProps }
     CALL () { MATCH (n)-[r]->() WHERE ${TWINS} RETURN count(r) AS rels, sum(size(keys(r))) AS relProps }
     RETURN nodes, rels, nodeProps, relProps`,
  );
  const row = rows[0] ?? {};
  return {
    nodes: Number(row['nodes'] ?? 0),
    rels: Number(row['rels'] ?? 0),
    nodeProps: Number(row['nodeProps'] ?? 0),
    relProps: Number(row['relProps'] ?? 0),
  };
}

export function sameStats(a: GraphStats, b: GraphStats): boolean {
  return (
    a.nodes === b.nodes &&
    a.rels === b.rels &&
    a.nodeProps === b.nodeProps &&
    a.relProps === b.relProps
  );
}

export function describeStats(s: GraphStats): string {
  return `${s.nodes} nodes, ${s.rels} relationships, ${s.nodeProps} node properties, ${s.relProps} relationship properties`;
}

/**
 * With NEO4J_URI the database may hold someone's data: the benchmarks wipe twins, so they refuse
 * a non-empty database unless --wipe is given. A launched Neo4j is always empty.
 */
export async function ensureEmpty(graph: Graph, db: BenchNeo4j, wipe: boolean): Promise<void> {
  const stats = await graphStats(graph);
  if (stats.nodes === 0) return;
  if (db.source === 'env' && !wipe) {
    throw new BenchError(
      `NEO4J_URI (${db.uri}) holds ${stats.nodes} twin nodes; the benchmark deletes every twin. ` +
        'Point it at a scratch database, unset NEO4J_URI (a throwaway Neo4j is started), or pass --wipe.',
    );
  }
  note(`deleting ${stats.nodes} existing twin nodes (--wipe)`);
  await wipeTwins(graph);
}

/**
 * The database of a benchmark, ready to use: NEO4J_URI or a throwaway local Neo4j (heap 2g, page
 * cache 512m), an executor on it, no twins in it (ensureEmpty), the product's migrations applied.
 * Registers the clean-ups with `defer`; a NEO4J_URI database is left without twins at the end.
 */
export async function openBenchGraph(
  defer: Defer,
  wipe: boolean,
): Promise<{ db: BenchNeo4j; graph: Graph }> {
  const db = await startBenchNeo4j({ heap: '2g', pagecache: '512m' });
  defer(() => db.stop());
  const graph = connectGraph(db);
  defer(() => graph.close());
  await ensureEmpty(graph, db, wipe);
  await migrate(graph);
  if (db.source === 'env') defer(() => wipeTwins(graph)); // leave the scratch database empty
  return { db, graph };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

export function now(): number {
  return performance.now();
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const fmt = {
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
  ms: (ms: number) => `${ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0)} ms`,
  rate: (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)),
  ratio: (x: number) => `${x.toFixed(2)}x`,
  int: (n: number) => n.toLocaleString('en-US'),
};

/** A plain text table: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A failure the benchmark explains itself (bad flag, wrong database, failed check). */
export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** Positive integer flag value, or a BenchError naming the flag. */
export function intFlag(name: string, value: string | undefined, def: number, min = 1): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new BenchError(`--${name} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

type Cleanup = () => Promise<void>;
/** Registers a clean-up; they run last-in first-out when the benchmark ends (runBench). */
export type Defer = (cleanup: Cleanup) => void;

/**
 * Runs a benchmark: `body` registers cleanups (LIFO) with `defer`; they run on success, failure
 * and SIGINT/SIGTERM. Exit 0 on success, 1 with "<name> FAILED: reason" otherwise.
 */
export function runBench(name: string, body: (defer: Defer) => Promise<void>): void {
  const cleanups: Cleanup[] = [];
  let cleaning: Promise<boolean> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      let ok = true;
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (err) {
          ok = false;
          process.stderr.write(`${name}: cleanup failed: ${message(err)}\n`);
        }
      }
      return ok;
    })());
  // Stays installed: a second Ctrl-C (or the one run-all forwards) must not cut the clean-up short.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`\n${name}: ${signal}, cleaning up...\n`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  body((cleanup) => cleanups.push(cleanup))
    .then(
      async () => {
        const ok = await cleanUp();
        process.exit(ok ? 0 : 1);
      },
      async (err: unknown) => {
        process.stderr.write(
          `\n${name} FAILED: ${err instanceof BenchError ? err.message : describeError(err)}\n`,
        );
        await cleanUp();
        process.exit(1);
      },
    )
    .catch((err: unknown) => {
      process.stderr.write(`${name}: ${describeError(err)}\n`);
      process.exit(1);
    });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export interface LoopResult {
  /** Latency of each completed call, in completion order. */
  latencies: number[];
  elapsedMs: number;
  stoppedBy: 'count' | 'time';
}

/**
 * Calls `call` `requests` times with `concurrency` calls in flight, but starts no new call once
 * `capMs` have passed. A failing call fails the loop.
 */
export async function loadLoop(
  options: { requests: number; capMs: number; concurrency: number },
  call: () => Promise<void>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  let started = 0;
  let timedOut = false;
  const t0 = now();
  const worker = async () => {
    while (started < options.requests) {
      if (now() - t0 >= options.capMs) {
        timedOut = true;
        return;
      }
      started += 1;
      const t = now();
      await call();
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, () => worker()));
  return { latencies, elapsedMs: now() - t0, stoppedBy: timedOut ? 'time' : 'count' };
}
