import { createRequire } from 'node:module';
import { Socket } from 'node:net';

/*
 * neo4j-driver 6 cuts every Bolt message into chunks of its Chunker's fixed 1,400-byte buffer
 * and hands each chunk to `socket.write` at once, on a socket with Nagle's algorithm off. A
 * telemetry batch of 2,000 readings (about 600 KB of parameters) went out as some 430 writes:
 * 430 system calls and TCP segments, and as many write requests for the collector. While
 * telemetry poured in, the socket writes alone took 9% of the server's thread
 * (bench/README.md, "Ingest").
 *
 * The driver has no setting for it. `coalesceBoltWrites` wraps the driver's Node channel so that
 * its first write in a turn of the event loop corks the socket and the turn's end uncorks it:
 * the chunks of one flush leave in one `writev`. Bytes and their order are unchanged; a single
 * small query (one chunk) is one write as before.
 */

const PATCHED = Symbol.for('twin-graph.coalesceBoltWrites');

/** The driver's Node channel class, found from neo4j-driver's own location (null if it moved). */
function nodeChannelPrototype(): object | null {
  try {
    const fromDriver = createRequire(require.resolve('neo4j-driver'));
    const channel: unknown = fromDriver(
      'neo4j-driver-bolt-connection/lib/channel/node/node-channel.js',
    );
    const cls: unknown =
      typeof channel === 'object' && channel !== null ? Reflect.get(channel, 'default') : null;
    const proto: unknown = typeof cls === 'function' ? Reflect.get(cls, 'prototype') : null;
    return typeof proto === 'object' && proto !== null ? proto : null;
  } catch {
    return null;
  }
}

/**
 * Makes the driver's socket writes of one turn leave together (see above). Idempotent. Returns
 * false when the driver's channel is not where this driver version keeps it: then nothing is
 * changed, and writes go out as the driver sends them.
 */
export function coalesceBoltWrites(): boolean {
  const proto = nodeChannelPrototype();
  if (!proto) return false;
  if (Reflect.get(proto, PATCHED) === true) return true;
  const write: unknown = Reflect.get(proto, 'write');
  if (typeof write !== 'function') return false;
  const corkedWrite = function (this: unknown, buffer: unknown): unknown {
    const channel = typeof this === 'object' && this !== null ? this : null;
    const socket: unknown = channel ? Reflect.get(channel, '_conn') : null;
    // `_pending` is the driver's queue while it connects: its writes are sent later, as a list
    if (
      channel &&
      socket instanceof Socket &&
      socket.writableCorked === 0 &&
      Reflect.get(channel, '_pending') === null
    ) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    const result: unknown = Reflect.apply(write, this, [buffer]);
    return result;
  };
  Reflect.set(proto, 'write', corkedWrite);
  Reflect.set(proto, PATCHED, true);
  return true;
}
