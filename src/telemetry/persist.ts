import { errorText, type Log } from '../log';
import { type Ingest, type Processed, rejection } from './ingest';
import type { BatchRows } from './records';
import type { DeliveryHandler, MessageHandler } from './mqtt';
import { isReservedTopic, rejectedTopic } from './topics';
import type { Added, TelemetryWriter } from './writer';

export interface PersistCounts {
  received: number;
  accepted: number;
  rejected: number;
  /** Messages left unacknowledged because they could not be buffered (redelivered by the broker). */
  notAcknowledged: number;
}

/** Where accepted rows are made durable before their message is acknowledged. */
export interface Durable {
  /** Resolves once `rows` are on disk; `added` is what the writer told of their add. */
  append(rows: Partial<BatchRows>, added: Added): Promise<void>;
}

/** Messages read but not yet acknowledged, above which reading waits for acknowledgements. */
const MAX_UNACKNOWLEDGED = 2000;

/**
 * The persisting side: messages of the shared subscription are validated, buffered for the
 * batching writer and, with the journal (`handleDelivery`, the default), acknowledged only once
 * their rows are fsync'd in it. Without the journal (`handleMessage`), acknowledged once
 * buffered, one message at a time: the next is read only once
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
    /** With a journal, a message is acknowledged once its rows are in it (see handleDelivery). */
    private readonly journal: Durable | null = null,
  ) {}

  private ackChain: Promise<void> = Promise.resolve();
  private unacknowledged = 0;
  private stopping = false;

  /**
   * With the journal: validate, buffer for the writer, append to the journal, and acknowledge
   * once the journal's group commit has the rows on disk. The next message is read as soon as
   * this one is appended (not once it is on disk), so that one fsync covers many messages;
   * acknowledgements still go out in delivery order. Above MAX_UNACKNOWLEDGED messages waiting
   * for their fsync, reading waits; a full write buffer (Neo4j slower than the broker) holds
   * the broker back as before.
   */
  readonly handleDelivery: DeliveryHandler = (packet, delivery) => {
    if (this.stopping) {
      delivery.fail(new Error('shutting down: left for the broker to redeliver'));
      return;
    }
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.unacknowledged += 1;
    this.accept(packet.topic, payload).then(
      ({ durable }) => {
        const inOrder = this.ackChain.then(() => durable);
        this.ackChain = inOrder.then(
          () => {
            this.unacknowledged -= 1;
            delivery.ack();
          },
          (err: unknown) => {
            this.unacknowledged -= 1;
            this.notAcknowledged(packet.topic, err);
            delivery.fail(err instanceof Error ? err : new Error(String(err)));
          },
        );
        if (this.unacknowledged < MAX_UNACKNOWLEDGED) delivery.next();
      },
      (err: unknown) => {
        this.unacknowledged -= 1;
        this.notAcknowledged(packet.topic, err);
        delivery.fail(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };

  /**
   * Stops taking messages (they stay with the broker) and waits until every message taken is
   * acknowledged or known unacknowledged.
   */
  async drain(): Promise<void> {
    this.stopping = true;
    let tail: Promise<void> | null = null;
    while (tail !== this.ackChain) {
      tail = this.ackChain;
      await tail;
    }
  }

  private notAcknowledged(topic: string, err: unknown): void {
    this.counts.notAcknowledged += 1;
    this.log.warn(
      `not acknowledging a message of ${topic} (the broker redelivers it): ${errorText(err)}`,
    );
    this.redeliver();
  }

  /** Validates, buffers and journals one message; `durable` resolves once it may be acknowledged. */
  private async accept(topic: string, payload: Buffer): Promise<{ durable: Promise<void> }> {
    let durable: Promise<void> = Promise.resolve();
    await this.onMessage(topic, payload, (rows, added) => {
      if (this.journal) durable = this.journal.append(rows, added);
    });
    // a journal failure is seen when the acknowledgement is due, in order
    durable.catch(() => undefined);
    return { durable };
  }

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
  async onMessage(
    topic: string,
    payload: Buffer,
    buffered: (rows: Partial<BatchRows>, added: Added) => void = () => {},
  ): Promise<void> {
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
    const rows: Partial<BatchRows> =
      result.kind === 'telemetry'
        ? {
            readings: result.readings,
            observations: result.observations,
            rejections: result.rejections,
          }
        : result.kind === 'state'
          ? { states: [result.state], observations: result.observations }
          : { rejections: result.rejections };
    buffered(rows, await this.writer.add(rows));
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
