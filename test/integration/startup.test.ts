import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const main = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

describe('starting the server process', () => {
  it('when an environment value is malformed, then start-up stops with a message naming the variable', () => {
    expect(existsSync(main)).toBe(true); // npm test builds first
    const run = spawnSync(process.execPath, [main], {
      env: { PATH: process.env['PATH'], NEO4J_URI: 'http://localhost:7474', PORT: '4000' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(
      /NEO4J_URI \("http:\/\/localhost:7474"\): expected a bolt:\/\/ or neo4j:\/\/ URI/,
    );
    expect(run.stderr).toMatch(/did not start/);
  });
});
