import { fetchErrorText } from './send';

const withCode = (message: string, code: string): Error =>
  Object.assign(new Error(message), { code });

describe('fetchErrorText', () => {
  it('when fetch fails to connect, then the cause and its code are named, not only "fetch failed"', () => {
    const err = new TypeError('fetch failed', {
      cause: withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'),
    });
    expect(fetchErrorText(err)).toBe('connect ECONNREFUSED 127.0.0.1:9');
  });

  it('when the cause does not name its code, then the code is added', () => {
    const err = new TypeError('fetch failed', {
      cause: withCode('other side closed', 'UND_ERR_SOCKET'),
    });
    expect(fetchErrorText(err)).toBe('other side closed (UND_ERR_SOCKET)');
  });

  it('when the cause is an AggregateError (several addresses tried), then its first error is named', () => {
    const aggregate = Object.assign(
      new AggregateError([withCode('connect ECONNREFUSED ::1:9', 'ECONNREFUSED')], ''),
      { code: 'ECONNREFUSED' },
    );
    expect(fetchErrorText(new TypeError('fetch failed', { cause: aggregate }))).toBe(
      'connect ECONNREFUSED ::1:9',
    );
  });

  it('when the error has no cause, then its own message is used; a non-error is printed', () => {
    expect(fetchErrorText(new Error('Invalid URL'))).toBe('Invalid URL');
    expect(fetchErrorText('boom')).toBe('boom');
  });

  it('when the error comes from another realm (not instanceof Error), then it is still read', () => {
    const foreign = {
      message: 'fetch failed',
      cause: { message: 'read ECONNRESET', code: 'ECONNRESET' },
    };
    expect(fetchErrorText(foreign)).toBe('read ECONNRESET');
  });
});
