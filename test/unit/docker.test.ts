import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { composeValue, ROOT } from '../support/compose';

/*
 * The image and docker-compose.yml cannot be built or run here (no Docker engine), so what the API
 * needs of them at run time is checked on their text: the image's runtime user owns the folder
 * every default data directory lies in, and compose keeps that folder on a volume. Before, the
 * image ran as `node` in root's /app and the API stopped at start (EACCES on .data/history; seen
 * by running the server as a non-root user in a root-owned folder).
 */

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function runtimeStage(): string[] {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(from);
}

describe('the API image and docker-compose.yml', () => {
  const config = loadConfig({ NEO4J_URI: 'bolt://localhost:7687' });
  const dataDirs = [config.TELEMETRY_JOURNAL_DIR, config.TELEMETRY_SPILL_DIR, config.HISTORY_DIR];

  it('when the image runs as its non-root user, then that user owns .data, where every default data directory lies', () => {
    for (const dir of dataDirs) expect(dir.startsWith('.data/')).toBe(true);
    const stage = runtimeStage();
    expect(stage).toContain('WORKDIR /app');
    const user = stage.findIndex((l) => l.startsWith('USER '));
    const name = stage[user]?.slice('USER '.length);
    expect(name).toBe('node');
    const owned = stage.findIndex(
      (l) =>
        l.startsWith('RUN ') && /mkdir -p \/app\/\.data\b/.test(l) && l.includes(`chown ${name}:`),
    );
    expect(owned).toBeGreaterThan(-1);
    expect(owned).toBeLessThan(user);
  });

  it('when the compose API container is re-created, then .data is on a named volume and survives', () => {
    const mounts = composeValue('services', 'api', 'volumes');
    expect(Array.isArray(mounts) ? mounts : []).toContain('api-data:/app/.data');
    expect(composeValue('volumes')).toHaveProperty('api-data');
  });
});
