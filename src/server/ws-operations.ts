import { execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { LinkedSignal } from '../linked-signal';
import { executeCompiled, type JitCache } from './jit';
import { oneTimeout, operationSignal } from './request-guard';

/**
 * What bounds a query or mutation sent over graphql-ws, as over HTTP: the execution timeout
 * (GRAPHQL_EXECUTION_TIMEOUT_MS) and the client's leaving (its socket closing) abort the
 * operation's signal, after which no field resolves (`stopFieldsOnAbort`) and the result carries
 * one TIMEOUT error (`limit: "executionTimeMs"`) in a `next` message. The operation then completes
 * like any other: the socket stays open for the next one. Cypher statements in flight finish or
 * meet NEO4J_TX_TIMEOUT_MS, which every context's graph carries. Subscriptions have no deadline:
 * they run as long as they are subscribed.
 */
export class WsOperations {
  /** The operations running on each socket: closing it aborts them. */
  private readonly running = new WeakMap<WebSocket, Set<LinkedSignal>>();
  /** Ends an operation's deadline, by its context, once `execute` is done. */
  private readonly ends = new WeakMap<object, () => void>();

  constructor(
    private readonly timeoutMs: number,
    /** Compiled execution (jit.ts); null: graphql-js alone (GRAPHQL_JIT=false). */
    private readonly jit: JitCache | null = null,
  ) {}

  /** The context of a query or mutation on `socket`, made by `make` with the operation's signal. */
  open<C extends object>(socket: WebSocket, make: (signal: AbortSignal) => C): C {
    const operation = operationSignal(this.timeoutMs);
    const running = this.runningOn(socket);
    running.add(operation);
    const context = make(operation.signal);
    this.ends.set(context, () => {
      operation.release();
      running.delete(operation);
    });
    return context;
  }

  /**
   * graphql-ws's `execute` (queries and mutations): compiled once the document ran twice (as over
   * HTTP), else graphql-js's; then the operation's end.
   */
  readonly execute = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    try {
      const result = this.jit ? await executeCompiled(this.jit, args) : await execute(args);
      return result.errors ? { ...result, errors: oneTimeout(result.errors) } : result;
    } finally {
      const context = args.contextValue;
      if (typeof context === 'object' && context !== null) {
        this.ends.get(context)?.();
        this.ends.delete(context);
      }
    }
  };

  private runningOn(socket: WebSocket): Set<LinkedSignal> {
    let running = this.running.get(socket);
    if (!running) {
      const operations = new Set<LinkedSignal>();
      socket.once('close', () => {
        for (const operation of operations)
          operation.abort(new Error('the client closed the socket'));
        operations.clear();
      });
      this.running.set(socket, operations);
      running = operations;
    }
    return running;
  }
}
