import type { Context } from '../domain/context';
import type { TwinLabel } from '../graph/loaders';
import type { Props } from '../graph/props';

/**
 * A twin named by id in a simulation or risk result, through the request's node loader (one batch
 * per label, however many rows name it). A twin deleted since the snapshot was read comes back
 * with its id only. With a factory scope the loader answers null for another factory's twin too:
 * rows are kept to the scope before they get here (scoped.ts), or this would show its id.
 */
export async function twin<T>(
  ctx: Context,
  label: TwinLabel,
  id: string,
  make: (p: Props) => T,
): Promise<T> {
  return make((await ctx.loaders.node(label).load(id)) ?? { id });
}
