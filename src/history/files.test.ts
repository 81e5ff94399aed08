import { DuckDBInstance } from '@duckdb/node-api';
import { isVanishedFile, retryIfVanished, sqlLiteral } from './files';

describe('history file helpers', () => {
  it('when DuckDB is given a file that is gone, then that error counts as vanished; others do not', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const gone = await c
        .run(`SELECT * FROM read_parquet(['/nonexistent/twin-history/x.parquet'])`)
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(isVanishedFile(gone)).toBe(true);
      const syntax = await c.run('SELEC 1').then(
        () => null,
        (err: unknown) => err,
      );
      expect(isVanishedFile(syntax)).toBe(false);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it('when a read meets a vanished file, then it runs again, at most three times; another error is thrown at once', async () => {
    const vanished = new Error(
      'IO Error: No files found that match the pattern "/h/day=x/a.parquet"',
    );
    let calls = 0;
    await expect(
      retryIfVanished(() => {
        calls += 1;
        return calls < 3 ? Promise.reject(vanished) : Promise.resolve('read');
      }),
    ).resolves.toBe('read');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retryIfVanished(() => {
        calls += 1;
        return Promise.reject(vanished);
      }),
    ).rejects.toBe(vanished);
    expect(calls).toBe(3);

    calls = 0;
    const other = new Error('Binder Error: column "x" not found');
    await expect(
      retryIfVanished(() => {
        calls += 1;
        return Promise.reject(other);
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  it('when a path holds a quote, then the literal doubles it', () => {
    expect(sqlLiteral("/data/o'neil/x.parquet")).toBe("'/data/o''neil/x.parquet'");
  });
});
