import {
  Arg,
  Ctx,
  Field,
  Float,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  FieldResolver,
  Root,
} from 'type-graphql';
import { randomUUID } from 'node:crypto';
import type { Context } from '../domain/context';
import { webhookUrlFor } from '../domain/principal';
import type { AlertNotice } from '../domain/alerts';
import type { AlertSeverity } from '../domain/enums';
import { AlertSeverityEnum } from '../domain/enums.graphql';
import { badInput, notFound, type Problem } from '../errors';
import type { Tx } from '../graph/executor';
import { asProps } from '../graph/props';
import { seesRule } from './alert.scope';
import { alertRowFromProps, noticeOf } from './alert.store';
import { AlertRule, AlertRuleKindEnum } from './alert.type';
import {
  CHECK_RULE_SCOPE,
  COUNT_RULES,
  CREATE_RULE,
  DELETE_RULE,
  GET_RULE,
  LIST_RULES,
  RESOLVE_RULE_ALERTS,
  UPDATE_RULE,
} from './alerts.cypher';
import type { AlertRuleDef, AlertRuleKind } from './model';
import { routeNotices } from './routing';
import { mergeRule, ruleFromProps, type RuleFields, type RuleInput } from './rules';

@InputType({
  description:
    'The settings of an alert rule. On create, name and kind are required; on update, a field ' +
    'left out keeps its value and an optional setting given as null is unset.',
})
class AlertRuleInput implements RuleInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => AlertRuleKindEnum, { nullable: true }) kind?: AlertRuleKind | null;
  @Field(() => AlertSeverityEnum, { nullable: true, description: 'Default WARNING.' })
  severity?: AlertSeverity | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) enabled?: boolean | null;
  @Field(() => ID, { nullable: true }) factoryId?: string | null;
  @Field(() => ID, { nullable: true }) lineId?: string | null;
  @Field(() => ID, { nullable: true }) assetId?: string | null;
  @Field(() => String, { nullable: true }) metric?: string | null;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
  @Field(() => Float, { nullable: true, description: 'Default 0.' }) hysteresis?: number | null;
  @Field(() => Int, { nullable: true }) expectedIntervalS?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 60.' }) clearDelayS?: number | null;
  @Field(() => String, { nullable: true }) webhookUrl?: string | null;
}

@ObjectType({
  description: 'A deleted alert rule and the open alerts its deletion resolved.',
  simpleResolvers: true,
})
class DeletedAlertRule {
  @Field(() => ID) id!: string;
  @Field(() => Int) resolvedAlerts!: number;
}

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

/**
 * Every message is checked against every enabled telemetry rule, and every sweep against the
 * others: the number of rules is bounded so that no one can make ingestion crawl by adding rules.
 */
export const MAX_ALERT_RULES = 1000;

/** The rule's settings as stored: null removes a property. */
function storedFields(rule: RuleFields): Record<string, unknown> {
  return { ...rule };
}

async function checkScope(tx: Tx, rule: RuleFields): Promise<Problem[]> {
  if (rule.factoryId === null && rule.lineId === null && rule.assetId === null) return [];
  const row = (
    await tx.run(CHECK_RULE_SCOPE, {
      factoryId: rule.factoryId,
      lineId: rule.lineId,
      assetId: rule.assetId,
    })
  )[0];
  if (!row) return [];
  const problems: Problem[] = [];
  const no = (path: string, kind: string, id: string) =>
    problems.push({ path, message: `${kind} "${id}" does not exist` });
  if (rule.factoryId !== null && row['factory'] !== true)
    no('factoryId', 'factory', rule.factoryId);
  if (rule.lineId !== null && row['line'] !== true) no('lineId', 'line', rule.lineId);
  if (rule.assetId !== null && row['asset'] !== true) no('assetId', 'asset', rule.assetId);
  if (problems.length > 0) return problems;
  if (rule.lineId !== null && rule.factoryId !== null && row['lineFactory'] !== rule.factoryId) {
    problems.push({
      path: 'lineId',
      message: `line "${rule.lineId}" is in factory "${String(row['lineFactory'])}", not "${rule.factoryId}"`,
    });
  }
  if (rule.assetId !== null && rule.lineId !== null && row['assetLine'] !== rule.lineId) {
    problems.push({
      path: 'assetId',
      message: `asset "${rule.assetId}" is on line "${String(row['assetLine'])}", not "${rule.lineId}"`,
    });
  }
  if (rule.assetId !== null && rule.factoryId !== null && row['assetFactory'] !== rule.factoryId) {
    problems.push({
      path: 'assetId',
      message: `asset "${rule.assetId}" is in factory "${String(row['assetFactory'])}", not "${rule.factoryId}"`,
    });
  }
  return problems;
}

function refuse(problems: Problem[]): never {
  throw badInput(
    `the alert rule is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    problems,
  );
}

/** Resolves the open alerts of a rule (deleted or disabled) inside the transaction. */
async function resolveOpen(
  tx: Tx,
  rule: AlertRuleDef,
  by: string,
  now: string,
): Promise<AlertNotice[]> {
  const rows = await tx.run(RESOLVE_RULE_ALERTS, { ruleId: rule.id, by, now });
  const notices = rows.map((r) => noticeOf(alertRowFromProps(asProps(r['alert'])), 'RESOLVED'));
  await routeNotices(tx, notices, new Map([[rule.id, rule]]), now);
  return notices;
}

@Resolver(() => AlertRule)
export class AlertRuleResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Raised, acknowledged and resolved alerts are POSTed here (docs/webhooks.md). Whole only for an admin key without a factory scope; others see its origin (`https://hooks.example.com/…`).',
  })
  webhookUrl(@Root() rule: AlertRule, @Ctx() ctx: Context): string | null {
    return rule.webhookUrl === null ? null : webhookUrlFor(ctx.principal, rule.webhookUrl);
  }

  @Query(() => [AlertRule], { description: 'Every alert rule, by id.' })
  async alertRules(
    @Arg('kind', () => AlertRuleKindEnum, { nullable: true }) kind: AlertRuleKind | null,
    @Ctx() ctx: Context,
  ): Promise<AlertRule[]> {
    const rows = await ctx.graph.read(LIST_RULES, { kind: kind ?? null });
    const visible = await ctx.scope.visible();
    // a factory scope sees the global rules and those inside what it sees (alert.scope.ts)
    return rows
      .map((r) => ruleFromProps(asProps(r['rule'])))
      .filter((def) => seesRule(visible, def))
      .map((def) => AlertRule.fromDef(def));
  }

  @Query(() => AlertRule, { nullable: true, description: 'One alert rule (null when unknown).' })
  async alertRule(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<AlertRule | null> {
    const row = (await ctx.graph.read(GET_RULE, { id }))[0];
    const def = row ? ruleFromProps(asProps(row['rule'])) : null;
    return def && seesRule(await ctx.scope.visible(), def) ? AlertRule.fromDef(def) : null;
  }

  @Mutation(() => AlertRule, {
    description: 'A new alert rule; it applies to telemetry and sweeps from now on.',
  })
  async createAlertRule(
    @Arg('input', () => AlertRuleInput) input: AlertRuleInput,
    @Arg('id', () => ID, { nullable: true, description: 'Default: a new UUID.' })
    id: string | null,
    @Ctx() ctx: Context,
  ): Promise<AlertRule> {
    const ruleId = id ?? randomUUID();
    if (!RULE_ID.test(ruleId)) {
      throw badInput(
        `"id" must be 1 to 100 letters, digits, _ . : or - (starting with a letter or digit), got "${ruleId.slice(0, 100)}"`,
      );
    }
    const merged = mergeRule(null, input);
    if (!merged.ok) refuse(merged.problems);
    const now = new Date().toISOString();
    const def = await ctx.graph.transaction('WRITE', async (tx) => {
      const problems = await checkScope(tx, merged.rule);
      if (problems.length > 0) refuse(problems);
      const count = Number((await tx.run(COUNT_RULES))[0]?.['n'] ?? 0);
      if (count >= MAX_ALERT_RULES) {
        throw badInput(
          `there are already ${count} alert rules, the most a deployment may have (${MAX_ALERT_RULES}); ` +
            "delete rules no longer needed, or widen one rule's scope instead of repeating it per twin",
        );
      }
      if ((await tx.run(GET_RULE, { id: ruleId })).length > 0) {
        throw badInput(`an alert rule "${ruleId}" already exists; update it or choose another id`, [
          { path: 'id', message: 'already exists' },
        ]);
      }
      const row = (
        await tx.run(CREATE_RULE, { id: ruleId, fields: storedFields(merged.rule), now })
      )[0];
      return ruleFromProps(asProps(row?.['rule']));
    });
    ctx.events.alertRulesChanged();
    return AlertRule.fromDef(def);
  }

  @Mutation(() => AlertRule, {
    description:
      'Changes an alert rule. Disabling it resolves its open alerts; other changes apply to ' +
      'what is observed from now on (open alerts stay open).',
  })
  async updateAlertRule(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AlertRuleInput) input: AlertRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AlertRule> {
    const now = new Date().toISOString();
    const result = await ctx.graph.transaction('WRITE', async (tx) => {
      const found = (await tx.run(GET_RULE, { id }))[0];
      if (!found) return null;
      const base = ruleFromProps(asProps(found['rule']));
      const merged = mergeRule(base, input);
      if (!merged.ok) refuse(merged.problems);
      const problems = await checkScope(tx, merged.rule);
      if (problems.length > 0) refuse(problems);
      const row = (await tx.run(UPDATE_RULE, { id, fields: storedFields(merged.rule), now }))[0];
      const def = ruleFromProps(asProps(row?.['rule']));
      const notices =
        base.enabled && !def.enabled ? await resolveOpen(tx, def, 'rule disabled', now) : [];
      return { def, notices };
    });
    if (!result) throw notFound('AlertRule', id);
    ctx.events.alertRulesChanged();
    for (const notice of result.notices) ctx.events.alertChanged(notice);
    return AlertRule.fromDef(result.def);
  }

  @Mutation(() => DeletedAlertRule, {
    description: 'Deletes an alert rule and resolves its open alerts (their history stays).',
  })
  async deleteAlertRule(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
  ): Promise<DeletedAlertRule> {
    const now = new Date().toISOString();
    const notices = await ctx.graph.transaction('WRITE', async (tx) => {
      const found = (await tx.run(GET_RULE, { id }))[0];
      if (!found) return null;
      const def = ruleFromProps(asProps(found['rule']));
      const resolved = await resolveOpen(tx, def, 'rule deleted', now);
      await tx.run(DELETE_RULE, { id });
      return resolved;
    });
    if (!notices) throw notFound('AlertRule', id);
    ctx.events.alertRulesChanged();
    for (const notice of notices) ctx.events.alertChanged(notice);
    return Object.assign(new DeletedAlertRule(), { id, resolvedAlerts: notices.length });
  }
}
