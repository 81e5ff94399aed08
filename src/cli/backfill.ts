import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { NO_ALERTS_NOTE, type BackfillSummary } from '../telemetry/backfill/backfill';
import { backfillFile } from '../telemetry/backfill/file';
import { openBackfillFiles } from '../telemetry/backfill/files';
import { BackfillFileError, formatOfPath, type BackfillFormat } from '../telemetry/backfill/parse';
import { BACKFILL_REASON_DESCRIPTIONS, BACKFILL_REASONS } from '../telemetry/backfill/reasons';
import { RejectsFile } from '../telemetry/backfill/report';
import { AssetRegistry } from '../telemetry/registry';
import { cliGraph } from './graph-cli';
import { ProgressLine } from './progress-line';

const USAGE = `Usage: npm run backfill -- <file.csv|file.jsonl> [options]

Backfills past readings (historian exports, end-of-day quality files) into NEO4J_URI and the
history files, through the validation and unit conversion of MQTT telemetry (docs/history.md,
"Backfill"). Every accepted reading goes to the history files (HISTORY_DIR), and to the graph
too when its ts is within TELEMETRY_RETENTION_HOURS; its lineage is backfill:<file>:<line>.
Backfilled readings raise no alerts. Running a file again changes nothing: it is safe to stop
(Ctrl-C) and start over, or to backfill the fixed rows of the rejects report.

  CSV    header line required: asset,metric,ts,value,unit (any order; unit optional: empty or
         absent means the metric's canonical unit); quoted fields, CRLF or LF
  JSONL  one {"asset", "metric", "ts", "value", "unit"} object a line

Options:
  --format csv|jsonl   default: by the extension (.csv, .jsonl or .ndjson)
  --rejects FILE       the rejects report, CSV line,reason,detail,raw (default: <file>.rejects.csv)
  --dry-run            check every row and write the rejects report; write no reading
  --history-dir DIR    the history files (default: HISTORY_DIR, else .data/history)
  --source NAME        the name in the lineage backfill:<name>:<line> (default: the file's name)
  --help

Exit code: 0 when the whole file was read, even when rows were refused (they are in the rejects
report); 1 when a write failed (Neo4j, disk); 2 for a bad invocation, an unreadable file or a bad
header (nothing is written then).

Reasons in the rejects report:
${BACKFILL_REASONS.map((r) => `  ${r.padEnd(18)} ${BACKFILL_REASON_DESCRIPTIONS[r]}`).join('\n')}`;

const n = (x: number): string => Math.round(x).toLocaleString('en');

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      rejects: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'history-dir': { type: 'string' },
      source: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
}

async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const format = formatOf(file, values.format);
  if (format === null) {
    console.error(`${file}: say --format csv or --format jsonl (the extension does not tell)`);
    return 2;
  }
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (err) {
    console.error(`${file}: cannot read it: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const config = loadConfig();
  const dryRun = values['dry-run'];
  const dir = values['history-dir'] ?? config.HISTORY_DIR;
  const filesOn = config.HISTORY_ENABLED || values['history-dir'] !== undefined;
  const source = values.source ?? basename(file);
  const rejectsPath =
    values.rejects ?? join(dirname(file), `${basename(file, extname(file))}.rejects.csv`);

  const graph = cliGraph();
  const files = filesOn && !dryRun ? openBackfillFiles(dir) : null;
  const rejects = new RejectsFile(rejectsPath);
  const bar = new ProgressLine();
  // Ctrl-C: what was written stays (a second run completes it); the report keeps what it has
  const interrupted = () => {
    bar.done();
    rejects.close();
    console.error(
      `interrupted: readings written so far stay; run the same command again to finish (nothing is written twice); ` +
        `the rejects report ${rejectsPath} lists the rows refused so far`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const registry = new AssetRegistry(graph);
    const assets = await registry.loadAll();
    const now = Date.now();
    const retentionH = config.TELEMETRY_RETENTION_HOURS;
    console.log(
      `${dryRun ? 'checking' : 'backfilling'} ${file} (${format}, ${n(size)} bytes) against ${n(assets)} assets`,
    );
    const { summary, ignored } = await backfillFile(file, format, {
      source,
      lookup: (id) => registry.cached(id),
      limits: {
        now,
        maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
        graphFromMs: now - retentionH * 3_600_000,
        files: filesOn,
      },
      graph: dryRun ? null : graph,
      files,
      onIssue: (issue) => rejects.add(issue),
      onProgress: (p) =>
        bar.update({
          fraction: size > 0 ? p.bytes / size : null,
          text:
            `${n(p.read)} rows · ${n(p.rate)} rows/s · ${n(p.accepted)} accepted` +
            (p.rejected > 0 ? ` · ${n(p.rejected)} refused` : '') +
            (p.duplicates > 0 ? ` · ${n(p.duplicates)} duplicate` : ''),
        }),
    });
    bar.done();
    printSummary(summary, {
      file,
      format,
      dryRun,
      retentionH,
      dir,
      filesOn,
      files: files?.files ?? 0,
      rejectsPath,
      ignored,
    });
    return 0;
  } catch (err) {
    bar.done();
    if (err instanceof BackfillFileError) {
      console.error(`${file}: ${err.message}`);
      return 2;
    }
    console.error(
      `backfill of ${file} stopped: ${err instanceof Error ? err.message : String(err)}\n` +
        'what was written stays (it is idempotent): run the same command again once the cause is fixed',
    );
    return 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rejects.close();
    files?.close();
    await graph.close();
  }
}

function formatOf(file: string, given: string | undefined): BackfillFormat | null {
  if (given === undefined) return formatOfPath(file);
  const upper = given.toUpperCase();
  return upper === 'CSV' || upper === 'JSONL' ? upper : null;
}

interface SummaryContext {
  file: string;
  format: BackfillFormat;
  dryRun: boolean;
  retentionH: number;
  dir: string;
  filesOn: boolean;
  files: number;
  rejectsPath: string;
  ignored: string[];
}

function printSummary(s: BackfillSummary, c: SummaryContext): void {
  const lines = [
    `${c.dryRun ? 'checked' : 'backfilled'} ${c.file} in ${(s.elapsedMs / 1000).toFixed(1)} s: ${n(s.read)} rows read, ${n(s.rate)} rows/s`,
    `  accepted    ${n(s.accepted)}${s.firstTs ? ` (ts ${s.firstTs} … ${s.lastTs ?? ''})` : ''}`,
  ];
  if (c.dryRun) {
    lines.push(
      `  dry run:    nothing written; would write ${n(s.inGraphWindow)} to the graph (within TELEMETRY_RETENTION_HOURS=${c.retentionH})` +
        (c.filesOn ? ` and ${n(s.accepted)} to the history files in ${c.dir}` : ''),
    );
  } else {
    lines.push(
      `  graph       ${n(s.toGraph)} written (those within TELEMETRY_RETENTION_HOURS=${c.retentionH})`,
      c.filesOn
        ? `  files       ${n(s.toFiles)} written in ${n(c.files)} Parquet files under ${c.dir}`
        : '  files       none: the history files are off (HISTORY_ENABLED=false)',
    );
  }
  const refused = [...s.byReason].filter(([r]) => r !== 'DUPLICATE');
  lines.push(
    `  refused     ${n(s.rejected)}${refused.length > 0 ? `: ${refused.map(([r, k]) => `${r} ${n(k)}`).join(', ')}` : ''}`,
    `  duplicates  ${n(s.duplicates)}${s.duplicates > 0 ? ' (same asset, metric and ts as an earlier row: written once)' : ''}`,
    `  rejects report: ${c.rejectsPath} (${n(s.rejected + s.duplicates)} ${s.rejected + s.duplicates === 1 ? 'row' : 'rows'})`,
  );
  if (s.duplicatesCapped) {
    lines.push('  (too many rows to remember them all: later duplicates may not be reported)');
  }
  if (c.ignored.length > 0) lines.push(`  ignored fields: ${c.ignored.join(', ')}`);
  lines.push(`  ${NO_ALERTS_NOTE}`);
  console.log(lines.join('\n'));
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `backfill failed: ${String(err)}`);
    process.exit(1);
  },
);
