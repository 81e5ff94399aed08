#!/usr/bin/env node
// The Debian packages that `npm test` and `npm start` need, installed by those commands themselves
// when they may: as root, or with passwordless sudo (`sudo -n true`). Otherwise they stop with the
// exact command to run. Everything said goes to stderr.
//
//   node scripts/ensure-deps.mjs test          # mosquitto, mosquitto-clients, chromium
//   node scripts/ensure-deps.mjs start         # a JDK 17+ and Maven (the local Neo4j launcher)
//   node scripts/ensure-deps.mjs test start    # both, with one apt-get run
//
//   import { ensureDebianPackages, MOSQUITTO } from './ensure-deps.mjs';
//   await ensureDebianPackages({ commands: MOSQUITTO, why: 'the tests run a real broker' });
//
// Plain ESM with Node built-ins only, so it runs before `npm ci` and `npm run build`.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A command some part of the project runs, and the Debian package that provides it.
 *
 * @typedef {object} CommandSpec
 * @property {string} cmd the executable's name, as said in messages and as looked up on PATH.
 * @property {string | string[]} pkg its Debian package; a list is alternatives, the first that
 *   apt knows is installed (e.g. openjdk-17 where the release has it, else openjdk-21).
 * @property {string[]} [paths] files tried before PATH (Debian's /usr/sbin is often not on it).
 * @property {boolean} [onPath] also look on PATH (default true).
 * @property {() => string[]} [fallbacks] more files tried after PATH.
 * @property {(file: string) => boolean} [ok] whether a file found is good enough (default: it is
 *   executable); one that is not counts as missing.
 * @property {string} [what] how messages name it when it is missing (default: cmd).
 */

/** The broker and its command-line clients (the integration tests run a real Mosquitto). */
export const MOSQUITTO = [
  { cmd: 'mosquitto', paths: ['/usr/sbin/mosquitto'], pkg: 'mosquitto' },
  { cmd: 'mosquitto_pub', pkg: 'mosquitto-clients' },
];

/** Debian's Chromium at the path the playground e2e test launches. */
export const CHROMIUM = {
  cmd: 'chromium',
  paths: ['/usr/bin/chromium'],
  onPath: false,
  pkg: 'chromium',
  what: '/usr/bin/chromium',
};

/** A JDK 17+ (java with a javac beside it): runs tools/neo4j-local and compiles it under Maven. */
export const JDK = {
  cmd: 'java',
  pkg: ['openjdk-17-jdk-headless', 'openjdk-21-jdk-headless'],
  fallbacks: jvmJavas,
  ok: isJdk17,
  what: 'a JDK 17 or newer (java and javac)',
};

export const MAVEN = { cmd: 'mvn', pkg: 'maven' };

/** What each CLI argument ensures, and why. */
export const GROUPS = {
  test: {
    commands: [...MOSQUITTO, CHROMIUM],
    why: 'npm test runs the integration tests against a real Mosquitto broker and the playground e2e test in headless Chromium',
  },
  start: {
    commands: [JDK, MAVEN],
    why: 'the local Neo4j launcher (tools/neo4j-local, used when NEO4J_URI is unset) is built with Maven and runs on a JDK 17+',
  },
};

/** @param {string} msg */
const defaultLog = (msg) => process.stderr.write(`[ensure-deps] ${msg}\n`);

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every java under /usr/lib/jvm (where Debian's JDKs live, whatever PATH says). */
function jvmJavas() {
  try {
    return readdirSync('/usr/lib/jvm')
      .sort()
      .map((dir) => join('/usr/lib/jvm', dir, 'bin', 'java'));
  } catch {
    return [];
  }
}

/**
 * The Java major version in `java -version` output ('openjdk version "17.0.15"' -> 17,
 * 'java version "1.8.0_402"' -> 8); undefined if there is none.
 *
 * @param {string} text
 * @returns {number | undefined}
 */
export function javaMajor(text) {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text) ?? /^\w+ (\d+)(?:\.(\d+))?/m.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** The home of the JDK a java binary belongs to (symlinks such as /usr/bin/java resolved). */
export function javaHomeOf(java) {
  return dirname(dirname(realpathSync(java)));
}

/** java is 17+ and has a javac beside it (Maven compiles with the JDK that runs it). */
function isJdk17(java) {
  try {
    if (!executable(java) || !executable(join(dirname(realpathSync(java)), 'javac'))) return false;
    const out = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
    return (javaMajor(`${out.stderr}\n${out.stdout}`) ?? 0) >= 17;
  } catch {
    return false;
  }
}

/**
 * Where a command is, or undefined when it is missing.
 *
 * @param {CommandSpec} spec
 * @returns {string | undefined}
 */
export function findCommand(spec) {
  const onPath =
    spec.onPath === false
      ? []
      : (process.env.PATH ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, spec.cmd));
  const candidates = [...(spec.paths ?? []), ...onPath, ...(spec.fallbacks?.() ?? [])];
  const seen = new Set();
  for (const file of candidates) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (executable(file) && (spec.ok ? spec.ok(file) : true)) return file;
  }
  return undefined;
}

/**
 * The package to install for one command: the only one, or the first alternative apt knows (the
 * first of all when apt knows none of them, so that the message still names one).
 *
 * @param {string | string[]} pkg
 * @param {(name: string) => boolean} known
 */
export function choosePackage(pkg, known) {
  if (typeof pkg === 'string') return pkg;
  return pkg.find((name) => known(name)) ?? pkg[0];
}

/** What a person runs to install packages: the exact command the messages give. */
export function installCommandText(packages) {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

const APT_OPTIONS = ['-q', '-o', 'DPkg::Lock::Timeout=300'];

/**
 * The decision, without side effects: which packages, and whether to install them (as root, or
 * with `sudo -n`) or to stop with a message that gives the exact command.
 *
 * @param {object} facts
 * @param {{ cmd: string, pkg: string | string[], what?: string }[]} facts.missing commands not found
 * @param {boolean} facts.isRoot this process runs as root
 * @param {boolean} facts.canSudo `sudo -n true` succeeds
 * @param {boolean} facts.hasApt apt-get is there (a Debian-like system)
 * @param {string} facts.why what needs them, for the messages
 * @param {(name: string) => boolean} [facts.known] whether apt knows a package (for alternatives)
 * @returns {{ action: 'none' }
 *   | { action: 'install', packages: string[], via: 'root' | 'sudo', update: string[], install: string[], summary: string }
 *   | { action: 'refuse', packages: string[], message: string }}
 */
export function planInstall({ missing, isRoot, canSudo, hasApt, why, known = () => false }) {
  if (missing.length === 0) return { action: 'none' };
  const packages = [...new Set(missing.map((m) => choosePackage(m.pkg, known)))];
  const names = missing.map((m) => m.what ?? m.cmd).join(', ');
  const command = installCommandText(packages);
  if (!hasApt) {
    return {
      action: 'refuse',
      packages,
      message:
        `Not installed: ${names}; ${why}. apt-get is not available on this system, so they cannot be ` +
        `installed automatically: install them with its package manager (the Debian packages are ` +
        `${packages.join(' ')}; on Debian or Ubuntu: \`${command}\`), then run the command again.`,
    };
  }
  if (!isRoot && !canSudo) {
    return {
      action: 'refuse',
      packages,
      message:
        `Not installed: ${names}; ${why}. This process is not root and has no passwordless sudo ` +
        `(\`sudo -n true\` failed), so it cannot install them itself. Run:\n\n  ${command}\n\n` +
        'then run the command again.',
    };
  }
  const prefix = isRoot ? [] : ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive'];
  return {
    action: 'install',
    packages,
    via: isRoot ? 'root' : 'sudo',
    update: [...prefix, 'apt-get', 'update', ...APT_OPTIONS],
    install: [
      ...prefix,
      'apt-get',
      'install',
      '-y',
      ...APT_OPTIONS,
      '--no-install-recommends',
      ...packages,
    ],
    summary: `installing Debian packages ${packages.join(' ')} (${isRoot ? 'as root' : 'with sudo -n'}): ${why}; not installed: ${names}`,
  };
}

function isRootNow() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function sudoWorks() {
  const r = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

function aptGetThere() {
  return findCommand({ cmd: 'apt-get', paths: ['/usr/bin/apt-get'], pkg: 'apt' }) !== undefined;
}

/** apt has an installation candidate for the package (in the lists as they are now). */
function aptKnows(name) {
  const r = spawnSync('apt-cache', ['policy', name], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 && /Candidate: (?!\(none\))\S/.test(r.stdout ?? '');
}

/** Runs one apt-get command with its output on our stderr; rejects on a non-zero exit. */
function runStreaming(argv) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`\`${argv.join(' ')}\` failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

// One `apt-get update` per process; concurrent callers share one installation at a time.
let aptUpdated = false;
let queue = Promise.resolve();

/**
 * Makes sure the commands are there: installs the Debian packages of those that are missing when
 * this process may (root, or passwordless sudo), saying on stderr what and why; otherwise throws
 * an Error whose message has the exact command to run.
 *
 * @param {{ commands: CommandSpec[], why: string, log?: (msg: string) => void }} options
 * @returns {Promise<Record<string, string>>} where each command is, by cmd
 */
export function ensureDebianPackages({ commands, why, log = defaultLog }) {
  const run = queue.then(async () => {
    const found = () => Object.fromEntries(commands.map((c) => [c.cmd, findCommand(c)]));
    let where = found();
    const missing = commands.filter((c) => where[c.cmd] === undefined);
    if (missing.length === 0) return where;

    const isRoot = isRootNow();
    const facts = {
      missing,
      isRoot,
      canSudo: !isRoot && sudoWorks(),
      hasApt: aptGetThere(),
      why,
      known: aptKnows,
    };
    let plan = planInstall(facts);
    if (plan.action === 'refuse') throw new Error(plan.message);
    if (plan.action === 'none') return where;
    log(plan.summary);
    const byHand = `run it by hand: ${installCommandText(plan.packages)}`;
    try {
      if (!aptUpdated) {
        await runStreaming(plan.update);
        aptUpdated = true;
        // Package alternatives are chosen again from the fresh lists.
        const fresh = planInstall(facts);
        if (fresh.action === 'install') plan = fresh;
      }
      await runStreaming(plan.install);
    } catch (err) {
      throw new Error(
        `installing ${plan.packages.join(' ')} failed: ${err instanceof Error ? err.message : String(err)}; ${byHand}`,
      );
    }
    where = found();
    const still = commands.filter((c) => where[c.cmd] === undefined);
    if (still.length > 0) {
      throw new Error(
        `installed ${plan.packages.join(' ')}, but still not found: ${still.map((c) => c.what ?? c.cmd).join(', ')}`,
      );
    }
    log(`installed ${plan.packages.join(' ')}`);
    return where;
  });
  queue = run.catch(() => {});
  return run;
}

async function cli(args) {
  const unknown = args.filter((a) => !(a in GROUPS));
  if (args.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `usage: node scripts/ensure-deps.mjs ${Object.keys(GROUPS).join('|')} [...]` +
        (unknown.length > 0 ? ` (unknown: ${unknown.join(' ')})` : '') +
        '\n',
    );
    return 2;
  }
  const groups = [...new Set(args)].map((a) => GROUPS[a]);
  try {
    const where = await ensureDebianPackages({
      commands: groups.flatMap((g) => g.commands),
      why: groups.map((g) => g.why).join('; '),
    });
    defaultLog(
      `ok: ${Object.entries(where)
        .map(([cmd, file]) => `${cmd} (${file})`)
        .join(', ')}`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
