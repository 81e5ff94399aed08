import { REJECTION_REASONS } from './reasons';
import {
  parseTopic,
  rejectedTopic,
  stateTopic,
  subscriptionFilters,
  telemetryTopic,
} from './topics';

describe('parseTopic', () => {
  it('when a telemetry topic is parsed, then its kind and three ids come back', () => {
    expect(parseTopic('twin', 'twin/F1/L1/A1/telemetry')).toEqual({
      ok: true,
      kind: 'telemetry',
      factoryId: 'F1',
      lineId: 'L1',
      assetId: 'A1',
    });
  });

  it('when a state topic under a multi-level prefix is parsed, then the prefix is skipped', () => {
    expect(parseTopic('acme/twin', 'acme/twin/Leipzig/body-shop/press 1/state')).toEqual({
      ok: true,
      kind: 'state',
      factoryId: 'Leipzig',
      lineId: 'body-shop',
      assetId: 'press 1',
    });
  });

  it('when a topic is built and parsed back, then the same ids come out', () => {
    const ids = ['F-ü', 'L.1', 'A_1'] as const;
    expect(parseTopic('acme/twin', telemetryTopic('acme/twin', ...ids))).toMatchObject({
      ok: true,
      kind: 'telemetry',
      factoryId: ids[0],
      lineId: ids[1],
      assetId: ids[2],
    });
    expect(parseTopic('twin', stateTopic('twin', ...ids))).toMatchObject({
      ok: true,
      kind: 'state',
    });
  });

  it.each([
    ['another prefix', 'twin', 'other/F1/L1/A1/telemetry', 'not under the prefix'],
    ['the prefix only as a word start', 'twin', 'twins/F1/L1/A1/telemetry', 'not under the prefix'],
    ['the prefix alone', 'twin', 'twin', 'not under the prefix'],
    ['the prefix and a slash', 'twin', 'twin/', 'not under the prefix'],
    ['half a multi-level prefix', 'acme/twin', 'acme/F1/L1/A1/telemetry', 'not under the prefix'],
    ['too few levels', 'twin', 'twin/F1/A1/telemetry', 'has 3 levels'],
    ['too many levels', 'twin', 'twin/F1/L1/C1/A1/telemetry', 'has 5 levels'],
    ['a trailing slash', 'twin', 'twin/F1/L1/A1/telemetry/', 'has 5 levels'],
    ['another kind', 'twin', 'twin/F1/L1/A1/metrics', 'ends in "metrics"'],
    ['an empty level', 'twin', 'twin/F1//A1/telemetry', 'empty lineId'],
    ['an empty factory', 'twin', 'twin//L1/A1/state', 'empty factoryId'],
    ['a wildcard', 'twin', 'twin/F1/L1/+/telemetry', 'assetId level "+"'],
    ['the dead-letter level', 'twin', 'twin/_rejected/L1/A1/telemetry', 'reserved level'],
    ['the events level', 'twin', 'twin/_events/L1/A1/state', 'reserved level'],
    ['a dead-letter topic', 'twin', 'twin/_rejected/NOT_JSON', 'has 2 levels'],
  ])('when the topic has %s, then BAD_TOPIC says why', (_what, prefix, topic, why) => {
    const result = parseTopic(prefix, topic);
    expect(result).toMatchObject({ ok: false, reason: 'BAD_TOPIC' });
    expect(!result.ok && result.detail).toContain(why);
  });

  it('when the topic is huge, then the detail quotes only its start', () => {
    const result = parseTopic('twin', `twin/${'x'.repeat(100_000)}`);
    expect(result).toMatchObject({ ok: false, reason: 'BAD_TOPIC' });
    expect(!result.ok && result.detail.length).toBeLessThan(300);
  });
});

describe('topic builders', () => {
  it('when topics are built, then they follow the unified namespace', () => {
    expect(telemetryTopic('twin', 'F1', 'L1', 'A1')).toBe('twin/F1/L1/A1/telemetry');
    expect(stateTopic('acme/twin', 'F1', 'L1', 'A1')).toBe('acme/twin/F1/L1/A1/state');
    expect(subscriptionFilters('acme/twin')).toEqual([
      'acme/twin/+/+/+/telemetry',
      'acme/twin/+/+/+/state',
    ]);
  });

  it('when a dead-letter topic is built, then every reason is its last level', () => {
    for (const reason of REJECTION_REASONS) {
      expect(rejectedTopic('twin', reason)).toBe(`twin/_rejected/${reason}`);
      expect(parseTopic('twin', rejectedTopic('twin', reason)).ok).toBe(false);
    }
  });

  it('when an id cannot be a topic level, then building the topic throws', () => {
    expect(() => telemetryTopic('twin', 'F/1', 'L1', 'A1')).toThrow(RangeError);
    expect(() => stateTopic('twin', 'F1', '', 'A1')).toThrow(/empty lineId/);
    expect(() => telemetryTopic('twin', 'F1', 'L1', '#')).toThrow(RangeError);
    expect(() => telemetryTopic('twin', '_rejected', 'L1', 'A1')).toThrow(/reserved/);
  });
});
