import { DateTimeResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, Int, ObjectType } from 'type-graphql';
import type { AssetStatus } from '../../domain/enums';
import { asAssetStatus, AssetStatusEnum } from '../../domain/enums.graphql';
import type { ShiftFigures, StateFigures } from './timeline.service';
import type { IdleStretch as IdleStretchData, StatusSeconds } from './summary';
import type { StoredChange } from './timeline.store';
import type { TimelineEntry } from './summary';
import { iso } from './window';

/** The GraphQL types of the asset state timeline (docs/timeline.md). */

@ArgsType()
export class WindowArgs {
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: 'Start of the window, ISO-8601 with a zone (default: 24 hours before `to`).',
  })
  from?: Date | null;

  @Field(() => DateTimeResolver, {
    nullable: true,
    description:
      'End of the window, ISO-8601 with a zone (default: now). At most 366 days after `from`.',
  })
  to?: Date | null;
}

@ArgsType()
export class SummaryArgs extends WindowArgs {
  @Field(() => Boolean, {
    defaultValue: false,
    description: "Also give the figures per shift of the line, in its factory's time zone.",
  })
  byShift!: boolean;
}

@ObjectType({
  description: "One change of an asset's status, placed by the time it took effect.",
  simpleResolvers: true,
})
export class StateChange {
  @Field(() => AssetStatusEnum)
  status!: AssetStatus;

  @Field(() => AssetStatusEnum, {
    nullable: true,
    description:
      'The status before this change (the change before it in time, whenever it arrived); null for the first known change of the asset.',
  })
  previousStatus!: AssetStatus | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field({ description: 'When the status took effect (UTC ISO-8601).' })
  at!: string;

  @Field({
    description:
      'Where the change came from: telemetry (a state message), api (a mutation) or import.',
  })
  source!: string;

  static from(entry: TimelineEntry<StoredChange>): StateChange {
    return Object.assign(new StateChange(), {
      status: asAssetStatus(entry.change.status),
      previousStatus: entry.previousStatus === null ? null : asAssetStatus(entry.previousStatus),
      reason: entry.change.reason,
      at: entry.change.atIso,
      source: entry.change.source,
    });
  }
}

@ObjectType({
  simpleResolvers: true,
  description: 'Seconds in each status; for a line, asset-seconds (the sum over its assets).',
})
export class StateSeconds {
  @Field(() => Float) running!: number;
  @Field(() => Float) idle!: number;
  @Field(() => Float) down!: number;
  @Field(() => Float) maintenance!: number;
  @Field(() => Float, { description: 'Before the first known state of the asset.' })
  unknown!: number;

  static from(s: StatusSeconds): StateSeconds {
    return Object.assign(new StateSeconds(), s);
  }
}

@ObjectType({
  description: 'An uninterrupted IDLE stretch of one asset, clipped to the window.',
  simpleResolvers: true,
})
export class IdleStretch {
  @Field() from!: string;
  @Field() to!: string;
  @Field(() => Float) seconds!: number;
  /** Resolved by IdleStretchResolver.asset. */
  assetId!: string;

  static from(s: IdleStretchData): IdleStretch {
    return Object.assign(new IdleStretch(), {
      from: iso(s.from),
      to: iso(s.to),
      seconds: s.seconds,
      assetId: s.assetId,
    });
  }
}

const AVAILABILITY =
  '(running + idle) / (window − maintenance − unknown); null when that denominator is 0.';
const LONGEST_IDLE = 'The 5 longest IDLE stretches, longest first.';

@ObjectType({
  description: 'The figures of one shift, clipped to the window.',
  simpleResolvers: true,
})
export class ShiftSummary {
  @Field({ description: 'The local date the shift starts on (YYYY-MM-DD).' })
  date!: string;

  @Field(() => Int, { description: 'Number of the shift within its day, from 1.' })
  shift!: number;

  @Field({ description: 'Start of the shift, or of the window when it starts later (UTC).' })
  start!: string;

  @Field({ description: 'End of the shift, or of the window when it ends earlier (UTC).' })
  end!: string;

  @Field(() => StateSeconds) seconds!: StateSeconds;
  @Field(() => Float, { nullable: true, description: AVAILABILITY }) availability!: number | null;
  @Field(() => [IdleStretch], { description: LONGEST_IDLE }) longestIdle!: IdleStretch[];

  static from(s: ShiftFigures): ShiftSummary {
    return Object.assign(new ShiftSummary(), {
      date: s.date,
      shift: s.shift,
      start: iso(s.from),
      end: iso(s.to),
      seconds: StateSeconds.from(s.seconds),
      availability: s.availability,
      longestIdle: s.longestIdle.map((x) => IdleStretch.from(x)),
    });
  }
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Time in each status over a window, availability and the longest idle stretches (the idle-time tracker). For a line, the sums over its assets.',
})
export class StateSummary {
  @Field({ description: 'Start of the window (UTC).' })
  from!: string;

  @Field({
    description: 'End of what was counted (UTC): the window end, or now when that is later.',
  })
  to!: string;

  @Field(() => StateSeconds) seconds!: StateSeconds;
  @Field(() => Float, { nullable: true, description: AVAILABILITY }) availability!: number | null;
  @Field(() => [IdleStretch], { description: LONGEST_IDLE }) longestIdle!: IdleStretch[];

  @Field(() => [ShiftSummary], {
    nullable: true,
    description:
      "Per shift of the line overlapping the window, in the factory's time zone (only with byShift: true).",
  })
  shifts!: ShiftSummary[] | null;

  static from(s: StateFigures): StateSummary {
    return Object.assign(new StateSummary(), {
      from: iso(s.from),
      to: iso(s.to),
      seconds: StateSeconds.from(s.seconds),
      availability: s.availability,
      longestIdle: s.longestIdle.map((x) => IdleStretch.from(x)),
      shifts: s.shifts?.map((x) => ShiftSummary.from(x)) ?? null,
    });
  }
}
