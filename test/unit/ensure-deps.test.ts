/**
 * The decisions of scripts/ensure-deps.mjs (which packages, install as root or with sudo, or stop
 * with the exact command), without running apt-get. Jest's sandbox cannot load an ES module
 * without --experimental-vm-modules, so each call runs in a child Node that imports the real
 * module; `{ $known: [...] }` there stands for the predicate "apt knows these packages".
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MODULE = pathToFileURL(join(__dirname, '..', '..', 'scripts', 'ensure-deps.mjs')).href;

const CHILD = `
const m = await import(${JSON.stringify(MODULE)});
const [fn, args] = JSON.parse(process.argv[1]);
const predicate = (v) =>
  v && typeof v === 'object' && Array.isArray(v.$known) ? (name) => v.$known.includes(name) : v;
const revive = (v) =>
  v && typeof v === 'object' && !Array.isArray(v) && !Array.isArray(v.$known)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, predicate(x)]))
    : predicate(v);
const result = m[fn](...args.map(revive));
process.stdout.write(JSON.stringify(result === undefined ? null : result));
`;

function call(fn: string, args: unknown[], env: NodeJS.ProcessEnv = process.env): unknown {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', CHILD, JSON.stringify([fn, args])],
    { encoding: 'utf8', env },
  );
  return JSON.parse(out);
}

const MOSQUITTO_MISSING = [
  { cmd: 'mosquitto', pkg: 'mosquitto' },
  { cmd: 'mosquitto_pub', pkg: 'mosquitto-clients' },
];
const CHROMIUM_MISSING = { cmd: 'chromium', pkg: 'chromium', what: '/usr/bin/chromium' };
const WHY = 'the tests need them';

describe('planInstall: what ensure-deps does about missing commands', () => {
  it('when nothing is missing, then it does nothing', () => {
    const plan = call('planInstall', [
      { missing: [], isRoot: false, canSudo: false, hasApt: true, why: WHY },
    ]);
    expect(plan).toEqual({ action: 'none' });
  });

  it('when running as root, then it runs apt-get update and installs every missing package once, without recommends', () => {
    const plan = call('planInstall', [
      {
        missing: [...MOSQUITTO_MISSING, CHROMIUM_MISSING, { cmd: 'chromium', pkg: 'chromium' }],
        isRoot: true,
        canSudo: false,
        hasApt: true,
        why: WHY,
      },
    ]);
    expect(plan).toMatchObject({
      action: 'install',
      via: 'root',
      packages: ['mosquitto', 'mosquitto-clients', 'chromium'],
      update: ['apt-get', 'update', '-q', '-o', 'DPkg::Lock::Timeout=300'],
      install: [
        'apt-get',
        'install',
        '-y',
        '-q',
        '-o',
        'DPkg::Lock::Timeout=300',
        '--no-install-recommends',
        'mosquitto',
        'mosquitto-clients',
        'chromium',
      ],
    });
    const summary = (plan as { summary: string }).summary;
    expect(summary).toContain('mosquitto mosquitto-clients chromium');
    expect(summary).toContain(WHY);
  });

  it('when not root but passwordless sudo works, then the same commands run under sudo -n, noninteractive', () => {
    const plan = call('planInstall', [
      { missing: MOSQUITTO_MISSING, isRoot: false, canSudo: true, hasApt: true, why: WHY },
    ]);
    expect(plan).toMatchObject({
      action: 'install',
      via: 'sudo',
      update: [
        'sudo',
        '-n',
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'update',
        '-q',
        '-o',
        'DPkg::Lock::Timeout=300',
      ],
    });
    const install = (plan as { install: string[] }).install;
    expect(install.slice(0, 6)).toEqual([
      'sudo',
      '-n',
      'DEBIAN_FRONTEND=noninteractive',
      'apt-get',
      'install',
      '-y',
    ]);
    expect(install.slice(-3)).toEqual([
      '--no-install-recommends',
      'mosquitto',
      'mosquitto-clients',
    ]);
  });

  it('when neither root nor passwordless sudo, then it refuses with the exact command to run and why', () => {
    const plan = call('planInstall', [
      {
        missing: [...MOSQUITTO_MISSING, CHROMIUM_MISSING],
        isRoot: false,
        canSudo: false,
        hasApt: true,
        why: WHY,
      },
    ]);
    expect(plan).toMatchObject({
      action: 'refuse',
      packages: ['mosquitto', 'mosquitto-clients', 'chromium'],
    });
    const message = (plan as { message: string }).message;
    expect(message).toContain(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends mosquitto mosquitto-clients chromium',
    );
    expect(message).toContain('Not installed: mosquitto, mosquitto_pub, /usr/bin/chromium');
    expect(message).toContain(WHY);
    expect(message).toContain('sudo -n true');
  });

  it('when there is no apt-get, then it refuses and names the Debian packages even as root', () => {
    const plan = call('planInstall', [
      { missing: MOSQUITTO_MISSING, isRoot: true, canSudo: true, hasApt: false, why: WHY },
    ]);
    expect(plan).toMatchObject({ action: 'refuse' });
    expect((plan as { message: string }).message).toContain(
      'apt-get is not available on this system',
    );
    expect((plan as { message: string }).message).toContain('mosquitto mosquitto-clients');
  });

  it('when a command has package alternatives, then the first one apt knows is installed', () => {
    const jdk = { cmd: 'java', pkg: ['openjdk-17-jdk-headless', 'openjdk-21-jdk-headless'] };
    const onTrixie = call('planInstall', [
      {
        missing: [jdk, { cmd: 'mvn', pkg: 'maven' }],
        isRoot: true,
        canSudo: false,
        hasApt: true,
        why: WHY,
        known: { $known: ['openjdk-21-jdk-headless', 'maven'] },
      },
    ]);
    expect(onTrixie).toMatchObject({ packages: ['openjdk-21-jdk-headless', 'maven'] });
    const unknownLists = call('planInstall', [
      { missing: [jdk], isRoot: false, canSudo: false, hasApt: true, why: WHY },
    ]);
    expect((unknownLists as { message: string }).message).toContain(
      'install -y --no-install-recommends openjdk-17-jdk-headless',
    );
  });
});

describe('the helpers behind it', () => {
  it('javaMajor reads old and new `java -version` styles', () => {
    expect(call('javaMajor', ['openjdk version "17.0.15" 2025-04-15'])).toBe(17);
    expect(call('javaMajor', ['java version "1.8.0_402"'])).toBe(8);
    expect(call('javaMajor', ['openjdk version "21" 2023-09-19'])).toBe(21);
    expect(call('javaMajor', ['no java here'])).toBeNull();
  });

  it('installCommandText is the command a person pastes', () => {
    expect(call('installCommandText', [['maven', 'openjdk-17-jdk-headless']])).toBe(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends maven openjdk-17-jdk-headless',
    );
  });

  describe('findCommand', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ensure-deps-'));
      for (const sub of ['sbin', 'bin']) mkdirSync(join(dir, sub));
      for (const file of ['sbin/broker', 'bin/tool']) {
        writeFileSync(join(dir, file), '#!/bin/sh\n');
        chmodSync(join(dir, file), 0o755);
      }
      writeFileSync(join(dir, 'bin', 'not-executable'), '');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const env = () => ({ ...process.env, PATH: join(dir, 'bin') });

    it('finds a command in its own paths though they are not on PATH (Debian /usr/sbin)', () => {
      const spec = { cmd: 'broker', paths: [join(dir, 'sbin', 'broker')], pkg: 'broker' };
      expect(call('findCommand', [spec], env())).toBe(join(dir, 'sbin', 'broker'));
    });

    it('finds a command on PATH, unless told to look only at its paths', () => {
      expect(call('findCommand', [{ cmd: 'tool', pkg: 'tool' }], env())).toBe(
        join(dir, 'bin', 'tool'),
      );
      expect(
        call(
          'findCommand',
          [{ cmd: 'tool', pkg: 'tool', paths: ['/nowhere/tool'], onPath: false }],
          env(),
        ),
      ).toBeNull();
    });

    it('counts a file that is not executable, or not there, as missing', () => {
      expect(call('findCommand', [{ cmd: 'not-executable', pkg: 'x' }], env())).toBeNull();
      expect(call('findCommand', [{ cmd: 'absent', pkg: 'x' }], env())).toBeNull();
    });
  });
});
