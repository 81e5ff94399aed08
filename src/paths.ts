import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root (the folder with package.json), whether running from src/ or dist/src/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}
