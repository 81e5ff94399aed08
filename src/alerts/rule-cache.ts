import type { Graph } from '../graph/executor';
import { asProps } from '../graph/props';
import { LIST_RULES } from './alerts.cypher';
import type { AlertRuleDef } from './model';
import { ruleFromProps } from './rules';

/**
 * The enabled alert rules that telemetry checks each message against, held in memory. Reloaded
 * whole when a rule changes (the `_events/rules` event reaches every instance) and with the
 * asset cache's periodic reload, in case an event was missed.
 */
export class RuleCache {
  private list: AlertRuleDef[] = [];

  constructor(private readonly graph: Graph) {}

  rules(): readonly AlertRuleDef[] {
    return this.list;
  }

  async load(): Promise<void> {
    const rows = await this.graph.read(LIST_RULES, { kind: null });
    this.list = rows.map((r) => ruleFromProps(asProps(r['rule']))).filter((r) => r.enabled);
  }
}
