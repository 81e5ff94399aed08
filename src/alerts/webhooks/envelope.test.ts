import type { AlertNotice } from '../model';
import {
  bodyForAttempt,
  deliveryHeaders,
  type Envelope,
  storedBody,
  webhookUrlProblem,
} from './envelope';

const notice: AlertNotice = {
  event: 'RAISED',
  id: 'alert-1',
  ruleId: 'rule-1',
  kind: 'OUT_OF_RANGE',
  severity: 'WARNING',
  state: 'RAISED',
  message: 'temperature 95 °C above 90 °C',
  raisedAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  count: 1,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  about: { label: 'Asset', id: 'A1' },
  factoryId: 'F1',
  lineId: 'L1',
  assetId: 'A1',
  metricId: 'A1:temperature',
};

describe('the webhook envelope', () => {
  it('when a delivery is queued, then its body holds the delivery id, the event and the notice, without sentAt', () => {
    const parsed: unknown = JSON.parse(storedBody('d-1', notice));
    expect(parsed).toEqual({ deliveryId: 'd-1', event: 'RAISED', alert: notice });
    expect(Object.keys(parsed as object)).not.toContain('sentAt');
  });

  it('when an attempt is sent, then sentAt and attempt are added after event, the rest unchanged', () => {
    const sent = bodyForAttempt(storedBody('d-1', notice), '2026-01-01T00:00:05.000Z', 3);
    const parsed = JSON.parse(sent) as Envelope;
    expect(Object.keys(parsed)).toEqual(['deliveryId', 'event', 'sentAt', 'attempt', 'alert']);
    expect(parsed).toEqual({
      deliveryId: 'd-1',
      event: 'RAISED',
      sentAt: '2026-01-01T00:00:05.000Z',
      attempt: 3,
      alert: notice,
    });
  });

  it('when an attempt is sent again, then sentAt and attempt are replaced, not repeated', () => {
    const once = bodyForAttempt(storedBody('d-1', notice), '2026-01-01T00:00:05.000Z', 1);
    const twice = JSON.parse(bodyForAttempt(once, '2026-01-01T00:01:00.000Z', 2)) as Envelope;
    expect(twice.sentAt).toBe('2026-01-01T00:01:00.000Z');
    expect(twice.attempt).toBe(2);
  });

  it('when the stored body is not a JSON object, then it is sent as it is', () => {
    expect(bodyForAttempt('not json', 'x', 1)).toBe('not json');
    expect(bodyForAttempt('[1,2]', 'x', 1)).toBe('[1,2]');
  });

  it('when headers are built, then they name the content type, the sender, the event and the delivery', () => {
    expect(deliveryHeaders('d-1', 'RESOLVED')).toEqual({
      'content-type': 'application/json',
      'user-agent': 'twin-graph',
      'x-twin-graph-event': 'RESOLVED',
      'x-twin-graph-delivery': 'd-1',
    });
  });

  it('when a URL is not http or https, then it is refused with a reason', () => {
    expect(webhookUrlProblem('https://example.com/hook')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/')).toBeNull();
    expect(webhookUrlProblem('file:///etc/passwd')).toMatch(/only http and https/);
    expect(webhookUrlProblem('ftp://example.com')).toMatch(/only http and https/);
    expect(webhookUrlProblem('nonsense')).toMatch(/is not a URL/);
  });
});
