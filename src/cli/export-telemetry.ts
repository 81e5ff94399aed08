import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { exportTelemetry, type ExportFormat } from '../telemetry/export';
import { closeHistoryReaders } from '../history/reader';
import { cliGraph } from './graph-cli';

const USAGE = `Usage: npm run export:telemetry -- --from <ISO> --to <ISO> [--factory <id>] [--format parquet|csv] [--out <file>]
Writes the readings of [from, to) of NEO4J_URI and HISTORY_DIR into one file for the warehouse:
one row per (metric, ts), the columns of the history files, sorted by factory, metric and time.
Older readings come from the history files, the last TELEMETRY_RETENTION_HOURS/2 from the graph
(docs/export.md). Parquet by default; --out defaults to telemetry-<from>-<to>.<format>.`;

function instant(name: string, value: string | undefined): number {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  if (Number.isNaN(ms) || value === undefined || !/(Z|[+-]\d\d:?\d\d)$/iu.test(value)) {
    throw new UsageError(
      `--${name} must be an ISO-8601 instant with a zone, e.g. 2026-11-01T00:00:00Z; got ${value ?? 'nothing'}`,
    );
  }
  return ms;
}

class UsageError extends Error {}

async function run(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        factory: { type: 'string' },
        format: { type: 'string', default: 'parquet' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  let fromMs: number;
  let toMs: number;
  const format = values.format;
  try {
    fromMs = instant('from', values.from);
    toMs = instant('to', values.to);
    if (toMs <= fromMs) throw new UsageError('--to must be after --from');
    if (format !== 'parquet' && format !== 'csv') {
      throw new UsageError(`--format must be parquet or csv, got ${String(format)}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  const chosen: ExportFormat = format;
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/gu, '-');
  const out = values.out ?? `telemetry-${stamp(fromMs)}-${stamp(toMs)}.${chosen}`;
  const config = loadConfig();
  const graph = cliGraph();
  const started = Date.now();
  try {
    const result = await exportTelemetry(graph, {
      fromMs,
      toMs,
      factoryId: values.factory ?? null,
      format: chosen,
      out,
      historyDir: config.HISTORY_DIR,
      retentionHours: config.TELEMETRY_RETENTION_HOURS,
      onProgress: (p) =>
        process.stderr.write(`  ${p.part}: ${p.rows.toLocaleString('en-US')} rows\n`),
    });
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    console.error(
      `wrote ${result.rows.toLocaleString('en-US')} readings to ${result.out} in ${seconds.toFixed(1)} s ` +
        `(${result.fromFiles.toLocaleString('en-US')} from ${result.files} history files before ${result.boundary}, ` +
        `${result.fromGraph.toLocaleString('en-US')} from the graph after it)`,
    );
    return 0;
  } finally {
    await closeHistoryReaders();
    await graph.close();
  }
}

run()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(
      err instanceof ConfigError ? err.message : `export:telemetry failed: ${String(err)}`,
    );
    process.exit(1);
  });
