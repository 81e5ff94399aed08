import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../config';
import { exportDocument } from '../twins/import/export';
import { cliGraph } from './graph-cli';

/** `npm run export -- [file.json]`: the twin graph as an importable document (stdout by default). */
async function run(): Promise<void> {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const graph = cliGraph();
  try {
    const text = JSON.stringify(await exportDocument(graph), null, 2) + '\n';
    if (file) {
      await writeFile(file, text);
      console.error(`wrote ${file}`);
    } else {
      process.stdout.write(text);
    }
  } finally {
    await graph.close();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `export failed: ${String(err)}`);
  process.exit(1);
});
