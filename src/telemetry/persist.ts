import { errorText, type Log } from '../log';
import { type Ingest, type Processed, rejection } from './ingest';
import type { MessageHandler } from './mqtt';
import { isReservedTopic, rejectedTopic } from './topics';
import type { TelemetryWriter } from './writer';

export interface PersistCounts {
  received: number;
  accepted: number;
  rejected: number;
  /** Messages left unacknowledged because they could not be buffered (redelivered by the broker). */
  notAcknowledged: number;
}

/**
 * The persisting side: messages of the shared subscription are validated, buffered for the
 * batching writer, and only then acknowledged. One message at a time: the next is read only once
 * this one is buffered, so a full buffer (Neo4j slower than the broker) holds the broker back
 * instead of growing memory. A message that could not be buffered is not acknowledged, and the
 * connection is dropped so that the broker redelivers it (MQTT redelivers unacknowledged QoS 1
 * messages of a persistent session at reconnect).
 */
export class Persister {
  readonly counts: PersistCounts = { received: 0, accepted: 0, rejected: 0, notAcknowledged: 0 };

  constructor(
    private readonly ingest: Ingest,
    private readonly writer: TelemetryWriter,
    private readonly prefix: string,
    private readonly log: Log,
    /** Publishes a dead letter (QoS 0); refused messages are reported, never silently dropped. */
    private readonly deadLetter: (topic: string, body: string) => void,
    /** Drops the connection so that the broker redelivers what is unacknowledged. */
    private readonly redeliver: () => void,
  ) {}

  readonly handleMessage: MessageHandler = (packet, done) => {
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.onMessage(packet.topic, payload).then(
      () => done(),
      (err: unknown) => {
        this.counts.notAcknowledged += 1;
        this.log.warn(
          `not acknowledging a message of ${packet.topic} (the broker redelivers it): ${errorText(err)}`,
        );
        done(err instanceof Error ? err : new Error(String(err)));
        this.redeliver();
      },
    );
  };

  /** Validates and buffers one message; throws when it could not be buffered. */
  async onMessage(topic: string, payload: Buffer): Promise<void> {
    if (isReservedTopic(this.prefix, topic)) return; // our own events and dead letters
    let result: Processed;
    try {
      result = await this.ingest(topic, payload);
    } catch (err) {
      const receivedAt = new Date().toISOString();
      result = {
        kind: 'rejected',
        rejections: [rejection('INTERNAL_ERROR', errorText(err), topic, payload, receivedAt)],
      };
    }
    if (result.kind === 'telemetry') {
      await this.writer.add({
        readings: result.readings,
        observations: result.observations,
        rejections: result.rejections,
      });
    } else if (result.kind === 'state') {
      await this.writer.add({ states: [result.state], observations: result.observations });
    } else {
      await this.writer.add({ rejections: result.rejections });
    }
    // counted once buffered: a message that is redelivered is counted when it is accepted
    this.counts.received += 1;
    if (result.kind === 'state') this.counts.accepted += 1;
    else if (result.kind === 'rejected') this.counts.rejected += 1;
    else if (result.readings.length > 0) this.counts.accepted += 1;
    else if (result.rejections.length > 0) this.counts.rejected += 1;
    const rejections = result.kind === 'state' ? [] : result.rejections;
    for (const r of rejections) {
      // dead-letter: anyone may subscribe to <prefix>/_rejected/# to see what was refused and why
      this.deadLetter(rejectedTopic(this.prefix, r.reason), JSON.stringify(r));
    }
  }
}
