#!/usr/bin/env node
// `npm start`: the whole product on one machine, with nothing else installed by hand.
//
//   1. Neo4j: NEO4J_URI when set, else a local Neo4j 5.26 (tools/neo4j-local) with its store in
//      .data/neo4j (NEO4J_LOCAL_DATA), Bolt on NEO4J_LOCAL_PORT (default 7687, or any free port
//      when that one is taken). It needs a JDK 17+ and Maven: when they are missing they are
//      installed from Debian first (scripts/ensure-deps.mjs, as root or with passwordless sudo),
//      or start-up stops with the exact `sudo apt-get ...` command to run.
//   2. The API (dist/src/main.js): migrations, GraphQL + graphql-ws + playground on PORT (4000).
//   3. Demo seed data (seeds/demo.json) when the database holds no factory yet.
//   3b. A local admin key for the demo (TWIN_ADMIN_KEY, unless set), printed, and pre-filled in
//      the playground's headers (PLAYGROUND_API_KEY): the API answers nothing without a key.
//   4. The telemetry simulator, publishing readings for the seeded assets to the API's embedded
//      MQTT broker (or to MQTT_URL). TELEMETRY_SIMULATOR=false leaves it out.
//
// Ctrl-C stops everything in order: the simulator, the API (it drains, flushes telemetry and
// closes the driver), then Neo4j.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalNeo4j } from './neo4j-local-lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (m) => process.stderr.write(`[start] ${m}\n`);

function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function run(script, args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, script), ...args], { env, stdio: 'inherit' });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function waitReady(url, server, timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the API exited with code ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API was not ready at ${url} within ${timeoutMs} ms`);
}

// What is running, so that any failure stops all of it (no orphaned API or Neo4j).
let neo4j;
let server;
let simulator;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of [simulator, server]) {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  if (neo4j) await neo4j.stop();
  process.exit(code);
}

async function main() {
  const env = { ...process.env };
  // the API needs a credential for every request: a demo admin key, printed below and pre-filled
  // in the playground (only here: a deployment makes its own keys, docs/security.md)
  if (!env.TWIN_ADMIN_KEY) env.TWIN_ADMIN_KEY = `tg-demo-${randomBytes(24).toString('base64url')}`;
  env.PLAYGROUND_API_KEY ??= env.TWIN_ADMIN_KEY;
  if (!env.NEO4J_URI) {
    const wanted = Number(env.NEO4J_LOCAL_PORT ?? 7687);
    const port = (await portFree(wanted)) ? wanted : 0;
    if (port !== wanted) say(`port ${wanted} is taken; the local Neo4j takes a free port`);
    neo4j = await startLocalNeo4j({
      dataDir: env.NEO4J_LOCAL_DATA ?? join(ROOT, '.data', 'neo4j'),
      port,
      log: say,
    });
    env.NEO4J_URI = neo4j.uri;
    say(`local Neo4j at ${neo4j.uri} (store ${neo4j.dataDir})`);
  }

  server = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    env,
    stdio: 'inherit',
  });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  server.once('exit', (code) => {
    if (!stopping) {
      say(`the API exited (code ${code})`);
      void stop(code ?? 1);
    }
  });

  const port = env.PORT ?? '4000';
  await waitReady(`http://127.0.0.1:${port}/readyz`, server);
  const importer = join('dist', 'src', 'cli', 'import.js');
  if (existsSync(join(ROOT, importer)) && existsSync(join(ROOT, 'seeds', 'demo.json'))) {
    const code = await run(importer, [join(ROOT, 'seeds', 'demo.json'), '--if-empty'], env);
    if (code !== 0) say('loading the demo data failed; the API runs on without it');
  }
  if (env.TELEMETRY_SIMULATOR !== 'false') {
    simulator = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'demo-feed.js')], {
      env,
      stdio: 'inherit',
    });
  }
  say(`ready: playground http://localhost:${port}/  GraphQL http://localhost:${port}/graphql`);
  say(`API key (admin, this run): ${env.TWIN_ADMIN_KEY}`);
  say(
    `  curl -H 'Authorization: Bearer ${env.TWIN_ADMIN_KEY}' -H 'content-type: application/json' -d '{"query":"{ me { role } }"}' http://localhost:${port}/graphql`,
  );
  say(
    'try: subscription { telemetry(factoryId: "F-LEI") { asset { id } ts readings { metric value unit flagged } } }',
  );
}

main().catch((err) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  void stop(1);
});
