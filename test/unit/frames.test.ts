import fc from 'fast-check';
import { SharedFrames } from '../../src/server/frames';

/** The message graphql-ws builds and stringifies for a `next`. */
const message = (id: string, payload: unknown): string =>
  JSON.stringify({ id, type: 'next', payload });

describe('SharedFrames', () => {
  it('when a shared result goes to several operations, then each message equals the ordinary one and the JSON is built once', () => {
    const shared = new WeakSet<object>();
    const frames = new SharedFrames((r) => shared.has(r));
    const result = {
      data: { telemetry: { ts: '2026-12-02T00:00:00Z', readings: [{ value: 1.5 }] } },
    };
    shared.add(result);
    for (const id of ['1', '2', 'a-long-"quoted"-id']) {
      const marker = frames.marker(id, result);
      expect(marker).toBeDefined();
      expect(frames.expand(message(id, marker))).toBe(message(id, result));
    }
    expect(frames.reused).toBe(2);
  });

  it('when a result is not shared, has errors, or its id is very long, then no marker is made', () => {
    const shared = new WeakSet<object>();
    const frames = new SharedFrames((r) => shared.has(r));
    const withErrors = { data: null, errors: [{ message: 'x' }] };
    const plain = { data: { a: 1 } };
    shared.add(withErrors);
    expect(frames.marker('1', plain)).toBeUndefined();
    expect(frames.marker('1', withErrors)).toBeUndefined();
    const ok = { data: { a: 1 } };
    shared.add(ok);
    expect(frames.marker('x'.repeat(500), ok)).toBeUndefined();
  });

  it('when a message carries no marker it has made, then it passes unchanged (a look-alike text included)', () => {
    const frames = new SharedFrames(() => true);
    const lookAlike = message('1', { __twinFrame: 5 });
    expect(frames.expand(lookAlike)).toBe(lookAlike);
    const inString = message('1', { data: { note: '"payload":{"__twinFrame":0}}' } });
    expect(frames.expand(inString)).toBe(inString);
    // a marker is spliced once only
    const result = { data: { a: 1 } };
    const text = message('1', frames.marker('1', result));
    expect(frames.expand(text)).toBe(message('1', result));
    expect(frames.expand(text)).toBe(text);
  });

  it('for any JSON result and id, then the spliced message equals the ordinary one', () => {
    const frames = new SharedFrames(() => true);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (id, data) => {
          const result = { data };
          const marker = frames.marker(id, result);
          return frames.expand(message(id, marker)) === message(id, result);
        },
      ),
    );
  });
});
