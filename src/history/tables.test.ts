import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TWIN_TABLES } from './tables';

describe('the twin tables and their documentation', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'export.md'), 'utf8');

  it.each(TWIN_TABLES.map((t) => [t.name, t] as const))(
    'when the table %s is exported, then docs/export.md lists it with every column and type',
    (name, table) => {
      const section = doc.split(`### \`${name}\``)[1]?.split('\n### ')[0] ?? '';
      expect(section).not.toBe('');
      for (const [column, type] of table.columns) {
        expect(section).toMatch(new RegExp(`\\| \`${column}\`\\s*\\| ${type}\\s*\\|`));
      }
    },
  );

  it('when two tables are defined, then their names and each table column are unique', () => {
    const names = TWIN_TABLES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of TWIN_TABLES) {
      const columns = t.columns.map(([c]) => c);
      expect(new Set(columns).size).toBe(columns.length);
    }
  });
});
