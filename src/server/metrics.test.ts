import { BoundedLabel, Metrics, OPERATION_NAMES } from './metrics';

/** The value of one sample of the runtime's registry (0 when it has none). */
async function sample(
  metrics: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const all = await metrics.registry.getMetricsAsJSON();
  const values = all.flatMap((m) =>
    (m.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).map(
      (v) => ({ ...v, metricName: v.metricName ?? m.name }),
    ),
  );
  return values
    .filter(
      (v) =>
        v.metricName === name && Object.entries(labels).every(([k, want]) => v.labels[k] === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

describe('bounded label values', () => {
  it('when more distinct names arrive than the cap, then the later ones collapse to the overflow', () => {
    const names = new BoundedLabel(OPERATION_NAMES, /^[_A-Za-z][_0-9A-Za-z]{0,99}$/, 'other');
    for (let i = 0; i < OPERATION_NAMES; i++) expect(names.of(`Op${i}`)).toBe(`Op${i}`);
    expect(names.of('OneTooMany')).toBe('other');
    // names seen before the cap keep their label
    expect(names.of('Op0')).toBe('Op0');
  });

  it('when a value is not a plain name, or may not take a place, then it is the overflow', () => {
    const names = new BoundedLabel(10, /^[_A-Za-z][_0-9A-Za-z]{0,99}$/, 'other');
    expect(names.of('has space')).toBe('other');
    expect(names.of('x'.repeat(101))).toBe('other');
    expect(names.of('Refused', false)).toBe('other');
    expect(names.of('Known')).toBe('Known');
    expect(names.of('Known', false)).toBe('Known');
  });
});

describe('telemetry batches', () => {
  it('when a batch is committed, then readings, rejections by reason and the lag of its oldest and newest reading are recorded', async () => {
    const metrics = new Metrics();
    const at = Date.parse('2026-01-01T00:01:00.000Z');
    metrics.telemetry.batchWritten(
      {
        readings: [
          { ts: '2026-01-01T00:00:50.000Z' },
          { ts: '2026-01-01T00:00:30.000Z' },
          { ts: '2026-01-01T00:00:55.000Z' },
        ],
        rejections: [{ reason: 'NOT_JSON' }, { reason: 'NOT_JSON' }, { reason: 'BAD_UNIT' }],
      },
      at,
    );
    expect(await sample(metrics, 'twin_graph_telemetry_readings_written_total')).toBe(3);
    expect(await sample(metrics, 'twin_graph_telemetry_batches_written_total')).toBe(1);
    expect(
      await sample(metrics, 'twin_graph_telemetry_rejections_total', { reason: 'NOT_JSON' }),
    ).toBe(2);
    expect(
      await sample(metrics, 'twin_graph_telemetry_rejections_total', { reason: 'BAD_UNIT' }),
    ).toBe(1);
    expect(
      await sample(metrics, 'twin_graph_telemetry_last_batch_lag_seconds', { reading: 'oldest' }),
    ).toBe(30);
    expect(
      await sample(metrics, 'twin_graph_telemetry_last_batch_lag_seconds', { reading: 'newest' }),
    ).toBe(5);
    expect(await sample(metrics, 'twin_graph_telemetry_ingest_lag_seconds_sum')).toBe(30);
    expect(await sample(metrics, 'twin_graph_telemetry_ingest_lag_seconds_count')).toBe(1);
  });

  it('when a reading is stamped in the future (allowed clock skew), then its lag counts as 0', async () => {
    const metrics = new Metrics();
    metrics.telemetry.batchWritten(
      { readings: [{ ts: '2026-01-01T00:00:10.000Z' }], rejections: [] },
      Date.parse('2026-01-01T00:00:00.000Z'),
    );
    expect(await sample(metrics, 'twin_graph_telemetry_ingest_lag_seconds_sum')).toBe(0);
  });

  it('when telemetry stats are watched, then the message counters read them at each scrape', async () => {
    const metrics = new Metrics();
    const stats = {
      connected: true,
      received: 3,
      accepted: 2,
      rejected: 1,
      notAcknowledged: 0,
      writer: { buffered: 7, written: 2, failedAttempts: 0, lastError: null, overlapped: 2 },
      journal: null,
      history: {
        spooledRows: 4,
        files: 2,
        lastRollAt: '2026-12-01T00:00:10.000Z',
        lastError: null,
        failedRolls: 1,
        appendFailures: 0,
      },
      live: { telemetrySubscribed: true, telemetryMessages: 9 },
    };
    metrics.watchTelemetry(() => stats);
    expect(await sample(metrics, 'twin_graph_telemetry_messages_received_total')).toBe(3);
    stats.received = 5;
    expect(await sample(metrics, 'twin_graph_telemetry_messages_received_total')).toBe(5);
    expect(await sample(metrics, 'twin_graph_telemetry_buffered_rows')).toBe(7);
    expect(await sample(metrics, 'twin_graph_telemetry_batches_overlapped_total')).toBe(2);
    expect(await sample(metrics, 'twin_graph_history_spooled_rows')).toBe(4);
    expect(await sample(metrics, 'twin_graph_telemetry_live_subscribed')).toBe(1);
    expect(await sample(metrics, 'twin_graph_telemetry_live_messages_total')).toBe(9);
    expect(await sample(metrics, 'twin_graph_history_roll_failures_total')).toBe(1);
    expect(await sample(metrics, 'twin_graph_history_last_roll_timestamp_seconds')).toBe(
      Date.parse('2026-12-01T00:00:10.000Z') / 1000,
    );
  });
});

describe('Cypher statements', () => {
  it('when statements are observed, then they are counted by mode, failures apart, with their time', async () => {
    const metrics = new Metrics();
    metrics.cypher('read', 4, false);
    metrics.cypher('write', 6, true);
    expect(await sample(metrics, 'twin_graph_cypher_statements_total', { mode: 'read' })).toBe(1);
    expect(
      await sample(metrics, 'twin_graph_cypher_statement_errors_total', { mode: 'write' }),
    ).toBe(1);
    expect(await sample(metrics, 'twin_graph_cypher_statement_duration_seconds_sum')).toBeCloseTo(
      0.01,
    );
  });
});
