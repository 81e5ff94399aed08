import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../domain/context';
import { TwinError, clip } from '../../errors';
import { AssetRegistry } from '../registry';
import { backfill, NO_ALERTS_NOTE, type BackfillIssue } from './backfill';
import {
  BackfillFormatEnum,
  BackfillReasonCount,
  BackfillReject,
  BackfillResult,
} from './backfill.type';
import { openBackfillFiles } from './files';
import { BackfillFileError, rowsOfText, type BackfillFormat, type SourceRow } from './parse';

/** The mutation is for small batches; a larger input goes through `npm run backfill`. */
export const MUTATION_MAX_BYTES = 1_000_000;
export const MUTATION_MAX_ROWS = 10_000;
const REJECTS_SHOWN = 100;

const tooLarge = (what: string) =>
  new TwinError(
    'TOO_LARGE',
    `the content has ${what}; backfillTelemetry takes at most ${MUTATION_MAX_ROWS.toLocaleString('en')} rows and ` +
      `${MUTATION_MAX_BYTES.toLocaleString('en')} bytes: split it, or run \`npm run backfill -- file.csv\` on the server's database`,
    { maxRows: MUTATION_MAX_ROWS, maxBytes: MUTATION_MAX_BYTES },
  );

@Resolver()
export class BackfillResolver {
  @Mutation(() => BackfillResult, {
    description:
      'Backfills a small batch of past readings (at most 10,000 rows, 1 MB; larger files: `npm run backfill`) ' +
      'through the validation and unit conversion of MQTT telemetry. Every accepted reading goes to the history ' +
      'files, and to the graph too when within TELEMETRY_RETENTION_HOURS; each keeps backfill:<source>:<line> ' +
      'as its lineage. Idempotent: a reading already stored stays as it is. Backfilled readings raise no ' +
      'alerts. Refused rows are listed with their line and reason; they do not fail the call.',
  })
  async backfillTelemetry(
    @Arg('format', () => BackfillFormatEnum) format: BackfillFormat,
    @Arg('content') content: string,
    @Arg('source', () => String, {
      nullable: true,
      description: 'Names the batch in the lineage (default: request-<requestId>).',
    })
    source: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<BackfillResult> {
    const bytes = Buffer.byteLength(content);
    if (bytes > MUTATION_MAX_BYTES) throw tooLarge(`${bytes.toLocaleString('en')} bytes`);
    const name = sourceName(source, ctx.requestId);
    let rows: SourceRow[];
    try {
      rows = rowsOfText(content, format);
    } catch (err) {
      if (err instanceof BackfillFileError) throw new TwinError('BAD_USER_INPUT', err.message);
      throw err;
    }
    if (rows.length > MUTATION_MAX_ROWS) {
      throw tooLarge(`${rows.length.toLocaleString('en')} rows`);
    }
    // the assets named, in one round trip
    const registry = new AssetRegistry(ctx.graph);
    const ids = new Set<string>();
    for (const row of rows) {
      if (typeof row.fields?.asset === 'string' && row.fields.asset !== '')
        ids.add(row.fields.asset);
    }
    if (ids.size > 0) await registry.refreshAssets([...ids]);

    const now = Date.now();
    const config = ctx.config;
    const files = config.HISTORY_ENABLED ? openBackfillFiles(config.HISTORY_DIR) : null;
    const issues: BackfillIssue[] = [];
    try {
      const summary = await backfill([rows], {
        source: name,
        lookup: (id) => registry.cached(id),
        limits: {
          now,
          maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
          graphFromMs: now - config.TELEMETRY_RETENTION_HOURS * 3_600_000,
          files: files !== null,
        },
        graph: ctx.graph,
        files,
        onIssue: (issue) => {
          if (issues.length < REJECTS_SHOWN) issues.push(issue);
        },
      });
      ctx.loaders.clearAll();
      ctx.log.info(
        `backfill ${name}: ${summary.accepted} of ${summary.read} rows accepted ` +
          `(${summary.toGraph} to the graph, ${summary.toFiles} to files), ${summary.rejected} refused, ${summary.duplicates} duplicates`,
      );
      return Object.assign(new BackfillResult(), {
        source: name,
        format,
        read: summary.read,
        accepted: summary.accepted,
        rejected: summary.rejected,
        duplicates: summary.duplicates,
        writtenToGraph: summary.toGraph,
        writtenToFiles: summary.toFiles,
        byReason: [...summary.byReason].map(([reason, count]) =>
          Object.assign(new BackfillReasonCount(), { reason, count }),
        ),
        rejects: issues.map((i) => Object.assign(new BackfillReject(), i)),
        rejectsTotal: summary.rejected + summary.duplicates,
        firstTs: summary.firstTs,
        lastTs: summary.lastTs,
        alertsRaised: false,
        note: NO_ALERTS_NOTE,
        durationMs: Math.round(summary.elapsedMs),
      });
    } finally {
      files?.close();
    }
  }
}

/** The lineage's name of a batch: given (one line, at most 200 characters) or the request's. */
function sourceName(given: string | null | undefined, requestId: string): string {
  const text = (given ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  return text === '' ? `request-${requestId}` : clip(text, 200);
}
