#!/usr/bin/env node
// `npm run neo4j:local`: a real Neo4j 5.26 LTS in the foreground, without Docker.
//
//   npm run neo4j:local                          # bolt://127.0.0.1:7687, store in .data/neo4j
//   npm run neo4j:local -- --port 7688 --data /tmp/other
//   NEO4J_LOCAL_PORT=7688 npm run neo4j:local
//
// Needs a JDK 17 or 21 (NEO4J_LOCAL_JAVA, JAVA_HOME or java on PATH) and Maven (NEO4J_LOCAL_MVN or
// mvn on PATH); when they are missing, Debian's openjdk-17-jdk-headless and maven are installed
// first as root or with passwordless sudo, else it stops with the exact command to run
// (scripts/ensure-deps.mjs). The first run builds tools/neo4j-local and downloads Neo4j from
// Maven Central. Stop with Ctrl-C.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalNeo4j } from './neo4j-local-lib.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `Usage: npm run neo4j:local -- [options]

Starts a local Neo4j 5.26 (community, Bolt only, auth disabled) in the foreground.

Options:
  --data DIR         DBMS home; data persists there between runs (default: .data/neo4j)
  --port N           Bolt port on 127.0.0.1 (default: $NEO4J_LOCAL_PORT or 7687; 0 = any free port)
  --heap SIZE        JVM max heap (default: $NEO4J_LOCAL_HEAP or 1g)
  --pagecache SIZE   Neo4j page cache (default: $NEO4J_LOCAL_PAGECACHE or 128m)
  -h, --help         this text`;

function fail(message) {
  process.stderr.write(`neo4j:local: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      heap: { type: 'string' },
      pagecache: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  fail(`${err.message}\n\n${HELP}`);
}
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const portText = values.port ?? process.env.NEO4J_LOCAL_PORT ?? '7687';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`invalid port: ${portText}`);
const dataDir = values.data ? resolve(values.data) : resolve(REPO_ROOT, '.data', 'neo4j');

let neo4j;
try {
  neo4j = await startLocalNeo4j({
    dataDir,
    port,
    ...(values.heap ? { heap: values.heap } : {}),
    ...(values.pagecache ? { pagecache: values.pagecache } : {}),
  });
} catch (err) {
  process.stderr.write(`neo4j:local: could not start Neo4j: ${err.message}\n`);
  process.exit(1);
}

process.stdout.write(
  [
    '',
    `Neo4j is running at ${neo4j.uri} (auth disabled; pid ${neo4j.pid})`,
    `  data: ${neo4j.dataDir}`,
    `  logs: ${neo4j.logFile}`,
    `  use:  NEO4J_URI=${neo4j.uri}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\nneo4j:local: ${signal}, stopping Neo4j...\n`);
  await neo4j.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

// If the JVM dies by itself, do not linger.
neo4j.exited.then(({ code }) => {
  if (!stopping) process.exit(code === 0 ? 1 : (code ?? 1));
});
