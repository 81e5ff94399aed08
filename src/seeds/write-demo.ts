import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../paths';
import { buildDemoDocument } from './demo';
import { twinsPerKind } from './document';

/**
 * Writes seeds/demo.json, the demo network as of DEMO_JSON_NOW (a fixed date, so the checked-in
 * file only changes when the demo does). `--check` fails instead when the file is out of date.
 */
export const DEMO_JSON_NOW = new Date('2026-11-25T00:00:00Z');

export function demoJson(): string {
  return `${JSON.stringify(buildDemoDocument({ now: DEMO_JSON_NOW }), null, 2)}\n`;
}

function run(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const file = join(projectRoot(), 'seeds', 'demo.json');
  const json = demoJson();
  if (values.check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // a missing file is out of date too
    }
    if (current !== json) {
      process.stderr.write(`${file} is out of date; run write-demo without --check\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(file, json);
  const counts = twinsPerKind(JSON.parse(json) as ReturnType<typeof buildDemoDocument>);
  process.stderr.write(`wrote ${file}: ${counts.total} twins\n`);
}

if (require.main === module) run();
