import { BackfillFileError, readRows, rowsOfText, type SourceRow } from './parse';

async function* chunks(parts: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  for (const p of parts) yield p;
}

async function all(parts: (string | Buffer)[], format: 'CSV' | 'JSONL'): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const batch of readRows(chunks(parts), format)) out.push(...batch);
  return out;
}

describe('backfill CSV rows', () => {
  it('when fields are quoted, then commas, doubled quotes and line breaks stay in the field and the row keeps its first line', () => {
    const rows = rowsOfText(
      'asset,metric,ts,value,unit\nA1,"temp, oil",1795600000000,"71.5",Cel\n"A""2",x,2026-11-25T10:00:00Z,1,"de\ngF"\nA3,y,2026-11-25T10:00:00Z,2,\n',
      'CSV',
    );
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(rows[0]?.fields).toEqual({
      asset: 'A1',
      metric: 'temp, oil',
      ts: 1795600000000,
      value: 71.5,
      unit: 'Cel',
    });
    expect(rows[1]?.fields?.asset).toBe('A"2');
    expect(rows[1]?.fields?.unit).toBe('de\ngF');
    expect(rows[1]?.raw).toBe('"A""2",x,2026-11-25T10:00:00Z,1,"de\ngF"');
    expect(rows[2]?.fields?.unit).toBe('');
  });

  it('when the file has CRLF line ends, a BOM, blank lines and columns in another order, then each row is read by its header', () => {
    const rows = rowsOfText(
      '\uFEFFTS,Value,Asset,Metric\r\n\r\n2026-11-25T10:00:00Z,3.5,A1,temperature\r\n',
      'CSV',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      line: 3,
      fields: {
        asset: 'A1',
        metric: 'temperature',
        ts: '2026-11-25T10:00:00Z',
        value: 3.5,
        unit: '',
      },
    });
  });

  it('when a chunk ends inside a field, a quoted line break or a multi-byte character, then the rows are the same', async () => {
    const text =
      'asset,metric,ts,value,unit\nA1,"t\r\nx",1795600000000,1,°C\r\nA2,m,1795600000000,2,\n';
    const whole = rowsOfText(text, 'CSV');
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = await all([bytes.subarray(0, cut), bytes.subarray(cut)], 'CSV');
      expect(split).toEqual(whole);
    }
    expect(whole[0]?.fields?.metric).toBe('t\nx');
    expect(whole[0]?.fields?.unit).toBe('°C');
  });

  it('when a row has too few or too many fields, then it is BAD_SHAPE with its line; empty cells stay missing', () => {
    const rows = rowsOfText(
      'asset,metric,ts,value\nA1,t,1795600000000\nA1,t,1,2,3\nA1,,,\n',
      'CSV',
    );
    expect(rows.map((r) => [r.line, r.problem?.reason])).toEqual([
      [2, 'BAD_SHAPE'],
      [3, 'BAD_SHAPE'],
      [4, undefined],
    ]);
    expect(rows[0]?.problem?.detail).toContain('the row has 3 fields and the header 4');
    expect(rows[2]?.fields).toEqual({
      asset: 'A1',
      metric: '',
      ts: undefined,
      value: undefined,
      unit: '',
    });
  });

  it('when the value is not a decimal number, then it stays text for the check to refuse', () => {
    const rows = rowsOfText(
      'asset,metric,ts,value\nA1,t,1,"71,3"\nA1,t,1,abc\nA1,t,1,-1.5e3\n',
      'CSV',
    );
    expect(rows.map((r) => r.fields?.value)).toEqual(['71,3', 'abc', -1500]);
  });

  it('when the header lacks a required column or names one twice, then the file is refused as a whole', () => {
    expect(() => rowsOfText('asset,metric,value\nA1,t,1\n', 'CSV')).toThrow(
      /has no column ts; the first line must name the columns asset,metric,ts,value,unit/,
    );
    expect(() => rowsOfText('asset,metric,ts,ts,value\n', 'CSV')).toThrow(/names ts twice/);
    expect(() => rowsOfText('', 'CSV')).toThrow(BackfillFileError);
  });

  it('when a quoted field never closes, then the read stops at the line it started on', () => {
    expect(() =>
      rowsOfText('asset,metric,ts,value\nA1,t,1,2\nA1,"t,1,2\nA2,t,1,2\n', 'CSV'),
    ).toThrow(/line 3: a quoted field is not closed/);
  });

  it('when a column is not one of the five, then it is ignored and said', async () => {
    const stats = { bytes: 0, ignored: new Set<string>() };
    const rows: SourceRow[] = [];
    for await (const b of readRows(
      chunks(['asset,metric,ts,value,quality\nA1,t,1,2,good\n']),
      'CSV',
      stats,
    )) {
      rows.push(...b);
    }
    expect(rows[0]?.fields?.value).toBe(2);
    expect([...stats.ignored]).toEqual(['quality']);
    expect(stats.bytes).toBe(44);
  });
});

describe('backfill JSONL rows', () => {
  it('when lines are objects, not JSON, or not objects, then each is a row or a problem with its line', () => {
    const rows = rowsOfText(
      [
        '{"asset":"A1","metric":"t","ts":"2026-11-25T10:00:00Z","value":1,"unit":"Cel"}',
        '',
        '{"asset":"A1",',
        '[1,2]',
        '{"asset":"A1","metric":"t","ts":1795600000000,"value":"2","extra":true}\r',
      ].join('\n'),
      'JSONL',
    );
    expect(rows.map((r) => [r.line, r.problem?.reason])).toEqual([
      [1, undefined],
      [3, 'NOT_JSON'],
      [4, 'BAD_SHAPE'],
      [5, undefined],
    ]);
    expect(rows[3]?.fields).toEqual({
      asset: 'A1',
      metric: 't',
      ts: 1795600000000,
      value: '2',
      unit: undefined,
    });
  });

  it('when a line carries __proto__, then nothing inherited passes for a field', () => {
    const rows = rowsOfText('{"__proto__":{"asset":"A1"},"metric":"t"}\n', 'JSONL');
    expect(rows[0]?.fields?.asset).toBeUndefined();
  });
});
