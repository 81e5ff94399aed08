import { ConfigError } from '../config';
import { exportTables, type TableFormat } from '../history/tables';
import { cliGraph } from './graph-cli';

const USAGE = `Usage: npm run export:tables -- <dir> [--format parquet|csv]
Writes the twin graph of NEO4J_URI as tables for BI tools: one file per twin kind and per
relationship (factories, lines, assets, metrics, flows, products, bom, production, suppliers,
supplies, inventory, shipments, orders) in <dir>, Parquet by default. Schema: docs/export.md.`;

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.error(USAGE);
    return 0;
  }
  const at = args.indexOf('--format');
  const format = at >= 0 ? args[at + 1] : 'parquet';
  const dir = args.find((a, i) => !a.startsWith('--') && i !== at + 1);
  if (!dir || (format !== 'parquet' && format !== 'csv')) {
    console.error(
      !dir ? USAGE : `--format must be parquet or csv, got ${String(format)}\n\n${USAGE}`,
    );
    return 2;
  }
  const chosen: TableFormat = format;
  const graph = cliGraph();
  try {
    const result = await exportTables(graph, dir, chosen);
    for (const file of result.files) console.error(`  ${file}`);
    const counts = Object.entries(result.rows).map(([t, n]) => `${t} ${n}`);
    console.error(`wrote ${result.files.length} ${chosen} tables to ${dir}: ${counts.join(', ')}`);
    return 0;
  } finally {
    await graph.close();
  }
}

run()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(
      err instanceof ConfigError ? err.message : `export:tables failed: ${String(err)}`,
    );
    process.exit(1);
  });
