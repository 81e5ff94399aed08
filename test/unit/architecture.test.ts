import { execFile } from 'node:child_process';
import { join } from 'node:path';

/*
 * The rooms of docs/architecture.md: dependencies point from the server to the capabilities to
 * domain/ and graph/, never back. The lint configuration enforces it; these probes show that it
 * does (a probe file is linted as text at a path inside the room, nothing is written).
 */
const root = join(__dirname, '..', '..');

/** ESLint on `code` as if it were the file `filePath` (a child process: the config is ESM). */
function problems(filePath: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--stdin',
        '--stdin-filename',
        filePath,
        '--format',
        'json',
      ],
      { cwd: root, timeout: 60_000 },
      (err, stdout) => {
        // eslint exits 1 when it found problems: the JSON report is what counts
        try {
          const report: unknown = JSON.parse(stdout);
          const messages = Array.isArray(report)
            ? report.flatMap(
                (r: { messages?: { ruleId?: string; message: string }[] }) => r.messages ?? [],
              )
            : [];
          resolve(messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`));
        } catch {
          reject(err ?? new Error(`eslint printed no report: ${stdout}`));
        }
      },
    );
    child.stdin?.end(code);
  });
}

describe('the import direction between rooms', () => {
  it.each([
    ['src/twins/probe.ts', "import { LIVE } from '../telemetry/events';", 'src/twins/'],
    ['src/twins/import/probe.ts', "import { x } from '../../telemetry/units';", 'src/twins/'],
    ['src/domain/probe.ts', "import { Asset } from '../twins/asset.type';", 'src/domain/'],
    ['src/graph/probe.ts', "import type { Context } from '../domain/context';", 'src/graph/'],
    ['src/alerts/probe.ts', "import { Persister } from '../telemetry/persist';", 'src/alerts/'],
    ['src/telemetry/probe.ts', "import { startRuntime } from '../runtime';", 'composition root'],
  ])(
    'when %s imports against the direction (%s), then the lint fails',
    async (file, code, says) => {
      const found = await problems(file, `${code}\nexport const probe = 1;\n`);
      expect(found.join('\n')).toMatch(/no-restricted-imports/);
      expect(found.join('\n')).toContain(says);
    },
  );

  it.each([
    ['src/telemetry/probe.ts', "import { Asset } from '../twins/asset.type';"],
    ['src/server/probe.ts', "import { TelemetryService } from '../telemetry/service';"],
  ])('when %s imports along the direction, then the lint allows it', async (file, code) => {
    const found = await problems(file, `${code}\nexport const probe = 1;\n`);
    expect(found.filter((m) => m.includes('no-restricted-imports'))).toEqual([]);
  });

  it('when a room other than graph/ imports neo4j-driver, then the lint fails', async () => {
    const found = await problems(
      'src/twins/probe.ts',
      "import neo4j from 'neo4j-driver';\nexport const n = neo4j;\n",
    );
    expect(found.join('\n')).toContain('Only src/graph/ imports neo4j-driver');
  });

  it('when a room imports prom-client, then the lint fails; the server may', async () => {
    const code = "import { Counter } from 'prom-client';\nexport const c = Counter;\n";
    const found = await problems('src/telemetry/probe.ts', code);
    expect(found.join('\n')).toContain('Only src/server/metrics.ts imports prom-client');
    const server = await problems('src/server/probe.ts', code);
    expect(server.filter((m) => m.includes('no-restricted-imports'))).toEqual([]);
  });
});
