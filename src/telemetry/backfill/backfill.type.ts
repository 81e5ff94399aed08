import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { graphqlEnum } from '../../domain/enums.graphql';
import { BACKFILL_FORMATS, type BackfillFormat } from './parse';
import { BACKFILL_REASON_DESCRIPTIONS, BACKFILL_REASONS, type BackfillReason } from './reasons';

export const BackfillFormatEnum = graphqlEnum(BACKFILL_FORMATS);
registerEnumType(BackfillFormatEnum, {
  name: 'BackfillFormat',
  description:
    'CSV: a header line naming asset, metric, ts, value and (optionally) unit, then one reading a line. ' +
    'JSONL: one {"asset", "metric", "ts", "value", "unit"} object a line.',
});

export const BackfillReasonEnum = graphqlEnum(BACKFILL_REASONS);
registerEnumType(BackfillReasonEnum, {
  name: 'BackfillReason',
  description: 'Why a backfilled row was not written (docs/history.md, "Backfill").',
  valuesConfig: Object.fromEntries(
    BACKFILL_REASONS.map((r) => [r, { description: BACKFILL_REASON_DESCRIPTIONS[r] }]),
  ),
});

@ObjectType({ description: 'A refused or duplicate row of a backfill.', simpleResolvers: true })
export class BackfillReject {
  @Field(() => Int, { description: 'Line of the content, 1-based (CSV: the header is line 1).' })
  line!: number;
  @Field(() => BackfillReasonEnum) reason!: BackfillReason;
  @Field({ description: 'What was wrong, and what to fix.' }) detail!: string;
  @Field({ description: 'The row as written (at most 1,000 characters).' }) raw!: string;
}

@ObjectType({ simpleResolvers: true })
export class BackfillReasonCount {
  @Field(() => BackfillReasonEnum) reason!: BackfillReason;
  @Field(() => Int) count!: number;
}

@ObjectType({
  description:
    'What a backfill did. Backfilled readings raise no alerts and reach no live subscription.',
  simpleResolvers: true,
})
export class BackfillResult {
  @Field({ description: 'The lineage of each written reading: backfill:<source>:<line>.' })
  source!: string;
  @Field(() => BackfillFormatEnum) format!: BackfillFormat;
  @Field(() => Int, { description: 'Rows read (not counting the header and blank lines).' })
  read!: number;
  @Field(() => Int, { description: 'Rows accepted: each written once.' }) accepted!: number;
  @Field(() => Int, { description: 'Rows refused (see rejects).' }) rejected!: number;
  @Field(() => Int, { description: 'Rows repeating the asset, metric and ts of an earlier row.' })
  duplicates!: number;
  @Field(() => Int, {
    description: 'Readings written to the graph: those within TELEMETRY_RETENTION_HOURS.',
  })
  writtenToGraph!: number;
  @Field(() => Int, { description: 'Readings written to the history files (all accepted ones).' })
  writtenToFiles!: number;
  @Field(() => [BackfillReasonCount], { description: 'Refused and duplicate rows by reason.' })
  byReason!: BackfillReasonCount[];
  @Field(() => [BackfillReject], {
    description: 'The first 100 refused and duplicate rows, in line order (rejectsTotal: all).',
  })
  rejects!: BackfillReject[];
  @Field(() => Int) rejectsTotal!: number;
  @Field(() => String, { nullable: true, description: 'Earliest accepted ts.' })
  firstTs!: string | null;
  @Field(() => String, { nullable: true, description: 'Latest accepted ts.' })
  lastTs!: string | null;
  @Field({ description: 'Always false: backfilled readings do not go through the alert rules.' })
  alertsRaised!: boolean;
  @Field() note!: string;
  @Field(() => Int) durationMs!: number;
}
