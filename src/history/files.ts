/**
 * File-system and SQL helpers shared by the history's writers, compactor, readers and exports.
 */
import { open, readdir, stat } from 'node:fs/promises';

/** The `code` of a node:fs error (ENOENT…), if it has one. */
export function errorCode(err: unknown): string | undefined {
  // not `instanceof Error`: errors of node:fs may come from another realm (jest's sandbox)
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

/** A directory's entries; none when it does not exist (yet). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The new name survives a power loss too; best effort (not every file system syncs a folder). */
export async function fsyncDir(path: string): Promise<void> {
  try {
    await fsyncFile(path);
  } catch {
    // EISDIR/EINVAL on some platforms: the rename is still atomic
  }
}

/** A SQL string literal for DuckDB (single quotes doubled): for what takes no parameter (COPY … TO). */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Whether DuckDB failed because a file it was given is gone: compaction deletes its inputs a grace
 * period after merging them (compactor.ts), so a long read that listed them before may meet that.
 */
export function isVanishedFile(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return (
    /IO Error/iu.test(message) && /No such file|No files found|cannot open file/iu.test(message)
  );
}

/**
 * Runs `read` (which lists the files it reads itself) again when a file it listed vanished while
 * it read: the second listing finds the compacted file that replaced it. At most `attempts` runs.
 */
export async function retryIfVanished<T>(read: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await read();
    } catch (err) {
      if (i >= attempts || !isVanishedFile(err)) throw err;
    }
  }
}
