import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { twinsPerKind } from './document';
import { DEFAULT_GENERATOR_NOW, generateDocument } from './generate';

const USAGE = `usage: node dist/src/seeds/generate-cli.js --factories N [--seed S] [--now ISO|now]
                                            [--out FILE] [--pretty]
  --factories N  number of factories (about 2,000 twins each)
  --seed S       PRNG seed, an integer (default 1); same seed, same document
  --now ISO      reference time for shipments and due dates
                 (default ${DEFAULT_GENERATOR_NOW.toISOString()}; "now" = the current time)
  --out FILE     write the document there (default: standard output)
  --pretty       indent the JSON (about 2x larger)
Counts per kind and the total number of twins go to standard error.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) fail(`--${name} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n)) fail(`--${name} must be an integer, got "${text}"`);
  return n;
}

function run(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        factories: { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
        out: { type: 'string' },
        pretty: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const factories = integer('factories', values.factories);
  if (factories < 1) fail('--factories must be at least 1');
  const seed = integer('seed', values.seed, 1);
  let now = DEFAULT_GENERATOR_NOW;
  if (values.now === 'now') now = new Date();
  else if (values.now !== undefined) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime()))
      fail(`--now must be an ISO date or "now", got "${values.now}"`);
  }

  const started = performance.now();
  const doc = generateDocument({ factories, seed, now });
  const generatedMs = performance.now() - started;
  const json = JSON.stringify(doc, null, values.pretty ? 2 : undefined);
  const counts = twinsPerKind(doc);
  const out = values.out ?? '-';
  if (out === '-') process.stdout.write(`${json}\n`);
  else writeFileSync(out, `${json}\n`);

  const lines = Object.entries(counts).map(([kind, n]) => `  ${kind.padEnd(10)} ${n}`);
  process.stderr.write(
    [
      `generated ${factories} factories (seed ${seed}) in ${generatedMs.toFixed(0)} ms, ` +
        `${(json.length / 1e6).toFixed(1)} MB${out === '-' ? '' : ` to ${out}`}`,
      ...lines,
      `  relations  flows ${doc.flows.length}, bom ${doc.bom.length}, production ${doc.production.length}, ` +
        `supplies ${doc.supplies.length}, inventory ${doc.inventory.length}`,
      '',
    ].join('\n'),
  );
}

run();
