// Start a real local Neo4j 5.26 LTS (community, embedded, Bolt only, no auth) without Docker.
//
// The Java side lives in tools/neo4j-local (a Maven project resolved from Maven Central). The
// first call builds it (`mvn package`: compiles one class and copies the runtime jars into
// tools/neo4j-local/target/lib); later calls only start `java -cp target/classes:target/lib/*`.
// A JDK 17+ and Maven are installed from Debian when missing (scripts/ensure-deps.mjs: as root or
// with passwordless sudo, else it stops with the exact command), unless NEO4J_LOCAL_JAVA, JAVA_HOME
// or NEO4J_LOCAL_MVN name them.
//
//   import { startLocalNeo4j } from './neo4j-local-lib.mjs';
//   const neo4j = await startLocalNeo4j();          // fresh temp store, free port
//   // ... connect to neo4j.uri (auth disabled: any user/password, or neo4j.auth.none())
//   await neo4j.stop();                              // store deleted because no dataDir was given
//
// Plain ESM with Node built-ins only, so it runs before any `npm run build`.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GROUPS, JDK, MAVEN, ensureDebianPackages, javaHomeOf } from './ensure-deps.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOL_DIR = join(REPO_ROOT, 'tools', 'neo4j-local');
const POM = join(TOOL_DIR, 'pom.xml');
const SRC_DIR = join(TOOL_DIR, 'src');
const TARGET_DIR = join(TOOL_DIR, 'target');
const JAR = join(TARGET_DIR, 'neo4j-local.jar');
const LIB_DIR = join(TARGET_DIR, 'lib');
const STAMP = join(TARGET_DIR, '.neo4j-local-built');
const LOCK_DIR = join(TARGET_DIR, '.build-lock');
const CDS_DIR = join(TARGET_DIR, 'cds');
const MAIN_CLASS = 'dev.twingraph.neo4jlocal.Neo4jLocal';
const READY_RE = /^NEO4J_READY (bolt:\/\/\S+)\s*$/;

const DEFAULT_HEAP = process.env.NEO4J_LOCAL_HEAP || '1g';
const DEFAULT_PAGECACHE = process.env.NEO4J_LOCAL_PAGECACHE || '128m';
// Start small; the heap grows up to `heap` (Neo4j logs a recommendation for Xms = Xmx; for a dev
// server a small resident size matters more).
const INITIAL_HEAP_BYTES = 64 * 1024 * 1024;

/** '512m' / '1g' / '1048576' -> bytes (JVM size syntax); NaN if not understood. */
function jvmSizeBytes(size) {
  const m = /^(\d+)([kmgt]?)$/i.exec(String(size).trim());
  if (!m) return Number.NaN;
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase()];
  return Number(m[1]) * unit;
}
const DEFAULT_START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const BUILD_LOCK_STALE_MS = 15 * 60_000;

// Neo4j's own launcher passes these; without them the page cache and the transaction log
// accessors fall back to slower paths and log warnings on Java 17+.
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:-OmitStackTraceInFastThrow',
  '-XX:+ExitOnOutOfMemoryError',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--enable-native-access=ALL-UNNAMED', // JNA (native I/O hints); silences a Java 22+ warning
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dlog4j2.disable.jmx=true',
  '-Dfile.encoding=UTF-8',
];

/** @param {string} msg */
const defaultLog = (msg) => process.stderr.write(`[neo4j-local] ${msg}\n`);

/** @param {((msg: string) => void) | false | null | undefined} log */
function logger(log) {
  if (log === false || log === null) return () => {};
  return typeof log === 'function' ? log : defaultLog;
}

function javaBinary() {
  if (process.env.NEO4J_LOCAL_JAVA) return process.env.NEO4J_LOCAL_JAVA;
  const javaHome = process.env.JAVA_HOME;
  if (javaHome) {
    const bin = join(javaHome, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (existsSync(bin)) return bin;
  }
  return 'java';
}

function mavenBinary() {
  return process.env.NEO4J_LOCAL_MVN || (process.platform === 'win32' ? 'mvn.cmd' : 'mvn');
}

/**
 * The java (and, for a build, mvn) to run, installing the Debian packages of what is missing and
 * not named by NEO4J_LOCAL_JAVA / JAVA_HOME / NEO4J_LOCAL_MVN. `javaHome` is set when the JDK was
 * found here, so that Maven compiles with that same JDK.
 *
 * @param {{ maven: boolean }} needs
 * @returns {Promise<{ java: string, javaHome?: string, mvn: string }>}
 */
async function toolchain({ maven }) {
  const java = javaBinary();
  const mvn = mavenBinary();
  if (process.platform !== 'linux') return { java, mvn };
  const commands = [
    ...(java === 'java' ? [JDK] : []),
    ...(maven && !process.env.NEO4J_LOCAL_MVN ? [MAVEN] : []),
  ];
  if (commands.length === 0) return { java, mvn };
  const where = await ensureDebianPackages({ commands, why: GROUPS.start.why });
  const found = where[JDK.cmd];
  return {
    java: found ?? java,
    ...(found ? { javaHome: javaHomeOf(found) } : {}),
    mvn: where[MAVEN.cmd] ?? mvn,
  };
}

/** Newest mtime (ms) of a file or of every file below a directory. */
async function newestMtime(path) {
  const st = await stat(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

async function isUpToDate() {
  try {
    const [stampTime, sourcesTime] = await Promise.all([
      stat(STAMP).then((s) => s.mtimeMs),
      Promise.all([newestMtime(POM), newestMtime(SRC_DIR)]).then((t) => Math.max(...t)),
    ]);
    if (stampTime < sourcesTime) return false;
    const jars = (await readdir(LIB_DIR)).filter((f) => f.endsWith('.jar'));
    return jars.length > 0 && existsSync(JAR);
  } catch {
    return false;
  }
}

async function neo4jVersion() {
  const pom = await readFile(POM, 'utf8');
  return /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(pom)?.[1] ?? '5.26';
}

/** Cross-process lock (parallel test workers may all call ensureBuilt): mkdir is atomic. */
async function withBuildLock(log, fn) {
  await mkdir(TARGET_DIR, { recursive: true });
  let waitingSaid = false;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age =
        Date.now() -
        (await stat(LOCK_DIR).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > BUILD_LOCK_STALE_MS) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (!waitingSaid) {
        log('another process is building tools/neo4j-local; waiting for it');
        waitingSaid = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Keeps the last `max` characters of a stream's output. */
function tailBuffer(max = 16_000) {
  let text = '';
  return {
    push(chunk) {
      text += chunk;
      if (text.length > max) text = text.slice(text.length - max);
    },
    lines(n) {
      return text.trimEnd().split('\n').slice(-n).join('\n');
    },
  };
}

// Class data sharing: the first start with a given JVM and build records the classes it loaded
// into target/cds/<key>.jsa when it exits; later starts map that archive instead of loading and
// verifying ~10k classes from jars (about 30% less CPU to READY). The JVM ignores an archive that
// no longer matches (its own checks); CDS log lines are silenced. NEO4J_LOCAL_CDS=0 turns it off.
const CDS_QUIET = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off'];

async function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** JVM arguments for class data sharing, and what to do once the JVM has exited. */
async function classDataSharing(java) {
  const none = { args: [], afterExit: async () => {} };
  if (process.env.NEO4J_LOCAL_CDS === '0') return none;
  try {
    const javaPath = await realpath(java.includes('/') ? java : ((await findOnPath(java)) ?? java));
    const [javaStat, stampStat] = await Promise.all([stat(javaPath), stat(STAMP)]);
    const key = createHash('sha256')
      .update(
        [javaPath, javaStat.size, javaStat.mtimeMs, stampStat.mtimeMs, ...JVM_FLAGS].join('|'),
      )
      .digest('hex')
      .slice(0, 16);
    const archive = join(CDS_DIR, `${key}.jsa`);
    const failed = join(CDS_DIR, `${key}.failed`);
    if (existsSync(archive)) {
      return {
        args: [`-XX:SharedArchiveFile=${archive}`, ...CDS_QUIET],
        afterExit: none.afterExit,
      };
    }
    if (existsSync(failed)) return none;
    await mkdir(CDS_DIR, { recursive: true });
    const tmp = join(CDS_DIR, `${key}.${process.pid}.${Date.now()}.tmp`);
    return {
      args: [`-XX:ArchiveClassesAtExit=${tmp}`, ...CDS_QUIET],
      afterExit: async ({ code, signal }) => {
        const size = await stat(tmp).then(
          (st) => st.size,
          () => 0,
        );
        if (size > 0 && signal === null) {
          await rename(tmp, archive);
          // Archives of older builds or other JVMs; leftovers of training runs cut off over an
          // hour ago (younger ones may belong to a JVM that is still running).
          for (const f of await readdir(CDS_DIR)) {
            const file = join(CDS_DIR, f);
            const stale =
              !f.startsWith(key) ||
              (f.endsWith('.tmp') &&
                Date.now() -
                  (await stat(file).then(
                    (st) => st.mtimeMs,
                    () => 0,
                  )) >
                  3_600_000);
            if (stale) await rm(file, { force: true });
          }
        } else {
          await rm(tmp, { force: true });
          // A clean exit without an archive: this JVM cannot dump one; do not slow every start.
          if (signal === null && (code === 0 || code === 143) && !existsSync(archive)) {
            await writeFile(failed, '');
          }
        }
      },
    };
  } catch {
    return none;
  }
}

let buildInProcess = null;

/**
 * Builds tools/neo4j-local with Maven unless target/ is newer than the pom and the Java sources.
 * Returns `{ built }`: whether Maven ran.
 *
 * @param {{ log?: ((msg: string) => void) | false }} [options]
 * @returns {Promise<{ built: boolean }>}
 */
export async function ensureBuilt({ log } = {}) {
  const say = logger(log);
  if (await isUpToDate()) return { built: false };
  // One build per process even if several starts race.
  buildInProcess ??= withBuildLock(say, async () => {
    if (await isUpToDate()) return { built: false };
    const tools = await toolchain({ maven: true });
    const version = await neo4jVersion();
    const m2 = join(homedir(), '.m2', 'repository', 'org', 'neo4j', 'neo4j', version);
    const firstRun = !existsSync(m2);
    say(
      `resolving Neo4j ${version} from Maven Central` +
        (firstRun ? ' (first run downloads ~170 MB)...' : ' (cached in ~/.m2)...'),
    );
    const t0 = Date.now();
    const out = tailBuffer();
    const mvn = spawn(tools.mvn, ['-B', '-q', '-f', POM, 'package'], {
      cwd: TOOL_DIR,
      env: tools.javaHome ? { ...process.env, JAVA_HOME: tools.javaHome } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    mvn.stdout.setEncoding('utf8').on('data', (d) => out.push(d));
    mvn.stderr.setEncoding('utf8').on('data', (d) => out.push(d));
    const [code] = await new Promise((res, rej) => {
      mvn.once('error', (err) =>
        rej(
          new Error(
            `cannot run Maven (${tools.mvn}): ${err.message}. Install Maven 3.8+ and a JDK 17 or 21, ` +
              'or set NEO4J_LOCAL_MVN to the mvn executable.',
          ),
        ),
      );
      mvn.once('close', (...args) => res(args));
    });
    if (code !== 0) {
      throw new Error(
        `building tools/neo4j-local failed (mvn exit ${code}). Last output:\n${out.lines(40)}`,
      );
    }
    await writeFile(STAMP, `neo4j ${version}\nbuilt ${new Date().toISOString()}\n`);
    say(`built tools/neo4j-local in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { built: true };
  }).finally(() => {
    buildInProcess = null;
  });
  return buildInProcess;
}

/**
 * @typedef {object} StartOptions
 * @property {string} [dataDir] DBMS home: store in <dataDir>/data, logs in <dataDir>/logs; kept
 *   on stop, so the same dir on the next start keeps the data. Omitted: a fresh temp dir, deleted
 *   on stop.
 * @property {number} [port] Bolt port on 127.0.0.1; 0 (default) picks a free port.
 * @property {((msg: string) => void) | false} [log] progress notes; default stderr; false: silent.
 * @property {string} [heap] JVM max heap, like '512m' (default; env NEO4J_LOCAL_HEAP).
 * @property {string} [pagecache] Neo4j page cache, like '128m' (default; env NEO4J_LOCAL_PAGECACHE).
 * @property {Record<string, string | number | boolean>} [conf] more Neo4j settings, e.g.
 *   `{ 'db.logs.query.enabled': 'OFF' }`; unknown names fail the start.
 * @property {number} [startTimeoutMs] how long to wait for readiness (default 120000).
 *
 * @typedef {object} LocalNeo4j
 * @property {string} uri `bolt://127.0.0.1:<port>`; auth is disabled (use neo4j.auth.none() or any
 *   user/password).
 * @property {number} port the Bolt port actually bound.
 * @property {number} pid the JVM's process id.
 * @property {string} dataDir absolute DBMS home.
 * @property {string} logFile Neo4j's debug.log.
 * @property {Promise<{ code: number | null, signal: string | null }>} exited settles when the JVM
 *   exits, for whatever reason.
 * @property {() => Promise<void>} stop SIGTERM, wait for a clean shutdown (SIGKILL after 20 s),
 *   delete a temp dataDir; idempotent. Afterwards nothing keeps the event loop alive.
 */

/**
 * Starts a local Neo4j 5.26 (community, embedded, Bolt only, auth disabled) and resolves when the
 * default database accepts Bolt connections. Builds tools/neo4j-local first when needed.
 *
 * @param {StartOptions} [options]
 * @returns {Promise<LocalNeo4j>}
 */
export async function startLocalNeo4j({
  dataDir,
  port = 0,
  log,
  heap = DEFAULT_HEAP,
  pagecache = DEFAULT_PAGECACHE,
  conf = {},
  startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
} = {}) {
  const say = logger(log);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startLocalNeo4j: port must be an integer 0..65535, got ${port}`);
  }
  const heapBytes = jvmSizeBytes(heap);
  if (!(heapBytes >= 32 * 2 ** 20)) {
    throw new Error(
      `startLocalNeo4j: heap must be a JVM size of at least 32m, like '512m', got ${heap}`,
    );
  }
  await ensureBuilt({ log });

  const temporary = dataDir === undefined || dataDir === null || dataDir === '';
  const home = temporary
    ? await mkdtemp(join(tmpdir(), 'twin-graph-neo4j-'))
    : resolve(String(dataDir));
  await mkdir(home, { recursive: true });
  const logFile = join(home, 'logs', 'debug.log');

  const { java } = await toolchain({ maven: false });
  const cds = await classDataSharing(java);
  const args = [
    `-Xmx${heap}`,
    `-Xms${Math.min(INITIAL_HEAP_BYTES, heapBytes)}`,
    ...JVM_FLAGS,
    ...cds.args,
    '-cp',
    [JAR, join(LIB_DIR, '*')].join(delimiter),
    MAIN_CLASS,
    '--port',
    String(port),
    '--data',
    home,
    '--pagecache',
    pagecache,
    '--exit-on-stdin-eof',
    ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
  ];
  const t0 = Date.now();
  const child = spawn(java, args, {
    cwd: home,
    // stdin stays an open pipe that is never written: when this process dies, the JVM sees EOF
    // and shuts down. Its own process group, so a terminal Ctrl-C reaches only us, and we stop it.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });

  const stderr = tailBuffer();
  // Settles when the JVM has exited and its class data sharing archive (if any) is in place.
  const exited = new Promise((res) => {
    child.once('exit', (code, signal) => {
      cds.afterExit({ code, signal }).then(
        () => res({ code, signal }),
        () => res({ code, signal }),
      );
    });
  });
  // A spawn failure (no java) emits 'error' and maybe no 'exit'.
  const spawnError = new Promise((res) => child.once('error', res));
  // If this process exits without stop() (process.exit, uncaught error), ask the JVM to shut down
  // cleanly; it outlives us briefly. stdin EOF would stop it too, this is just quicker.
  const killOnExit = () => {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);

  const cleanup = async () => {
    process.removeListener('exit', killOnExit);
    child.stdin.destroy();
    child.stdout.destroy();
    child.stderr.destroy();
    if (temporary) await rm(home, { recursive: true, force: true });
  };

  child.stderr.setEncoding('utf8');
  let partialErr = '';
  child.stderr.on('data', (d) => {
    stderr.push(d);
    partialErr += d;
    const lines = partialErr.split('\n');
    partialErr = lines.pop() ?? '';
    for (const line of lines) {
      // Progress lines ("started in", "stopped in"); a start failure is reported by the Error.
      if (line.startsWith('neo4j-local: ') && !line.startsWith('neo4j-local: failed to start'))
        say(line.slice('neo4j-local: '.length));
    }
  });
  child.stdin.on('error', () => {}); // EPIPE after the JVM exits

  let uri;
  try {
    uri = await new Promise((resolveReady, rejectReady) => {
      let timer;
      const settle = (fn, value) => {
        clearTimeout(timer);
        fn(value);
      };
      timer = setTimeout(
        () =>
          settle(
            rejectReady,
            new Error(`Neo4j did not report ready within ${startTimeoutMs} ms (pid ${child.pid}).`),
          ),
        startTimeoutMs,
      );
      let partialOut = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d) => {
        partialOut += d;
        const lines = partialOut.split('\n');
        partialOut = lines.pop() ?? '';
        for (const line of lines) {
          const m = READY_RE.exec(line);
          if (m) settle(resolveReady, m[1]);
        }
      });
      exited.then(({ code, signal }) =>
        settle(
          rejectReady,
          new Error(`Neo4j exited during startup (exit code ${code}, signal ${signal}).`),
        ),
      );
      spawnError.then((err) =>
        settle(
          rejectReady,
          new Error(`cannot run ${java}: ${err.message}. Install a JDK 17 or 21 or set JAVA_HOME.`),
        ),
      );
    });
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    const debugTail = await readFile(logFile, 'utf8').then(
      (t) => t.trimEnd().split('\n').slice(-15).join('\n'),
      () => '(no debug.log)',
    );
    await cleanup();
    const reason = /^neo4j-local: failed to start: (.*)$/m.exec(stderr.lines(200))?.[1];
    if (reason) err.message += ` ${reason}`;
    err.message +=
      `\n--- stderr (tail) ---\n${stderr.lines(30) || '(empty)'}` +
      `\n--- ${temporary ? 'debug.log' : logFile} (tail) ---\n${debugTail}`;
    throw err;
  }

  const boltPort = Number(new URL(uri.replace(/^bolt:/, 'http:')).port);
  say(`ready at ${uri} after ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${child.pid})`);

  let stopping = null;
  exited.then(({ code, signal }) => {
    child.stdin.destroy(); // our end of the pipe would otherwise keep the event loop alive
    if (!stopping) {
      say(`Neo4j (pid ${child.pid}) exited unexpectedly (exit code ${code}, signal ${signal})`);
      const tail = stderr.lines(10);
      if (tail) say(tail);
    }
  });
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const ac = new AbortController();
        const grace = sleep(STOP_GRACE_MS, 'timeout', { signal: ac.signal }).catch(() => 'done');
        const result = await Promise.race([exited.then(() => 'exited'), grace]);
        ac.abort();
        if (result === 'timeout') {
          say(`Neo4j (pid ${child.pid}) did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
          child.kill('SIGKILL');
          await exited;
        }
      }
      await cleanup();
    })();
    return stopping;
  };

  return { uri, port: boltPort, pid: child.pid, dataDir: home, logFile, exited, stop };
}
