import { shownUrl } from './log';

describe('shownUrl: a URL as it may be logged', () => {
  it('when a broker URL carries a password, then the password is masked and the rest kept', () => {
    expect(shownUrl('mqtt://twin-graph:s3cr%40t@mosquitto:1883')).toBe(
      'mqtt://twin-graph:***@mosquitto:1883',
    );
    expect(shownUrl('wss://u:p@broker.example:8884/mqtt')).toBe(
      'wss://u:***@broker.example:8884/mqtt',
    );
  });

  it('when a URL has no password, then it is unchanged', () => {
    expect(shownUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(shownUrl('mqtt://user@host:1883')).toBe('mqtt://user@host:1883');
  });

  it('when the text does not parse as a URL, then a user:password@ in it is masked still', () => {
    expect(shownUrl('mqtt://u:p w@host')).not.toContain('p w');
  });
});
