/**
 * A connector whose every operation runs under guardOperation (step.ts): an operation that fails
 * always leaves a failed step in the manifest, with a screenshot of the page as the failure left
 * it, even when the connector threw after its step had returned (a refused login).
 */
import type { ConnectorContext, ConnectorDefinition, ConnectorOperations } from '../../core/connector.ts';
import { guardOperation } from './step.ts';

type AnyOperation = (ctx: ConnectorContext, ...args: unknown[]) => Promise<unknown>;

const guarded = new WeakSet<ConnectorDefinition>();

function guard(name: string, op: AnyOperation): AnyOperation {
  return (ctx, ...args) => guardOperation(ctx.step, name, () => op(ctx, ...args));
}

export function withOperationEvidence<C extends ConnectorDefinition>(connector: C): C {
  if (guarded.has(connector)) return connector;
  const source = connector.operations as unknown as Record<string, unknown>;
  const operations: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'function') operations[name] = guard(name, value.bind(source) as AnyOperation);
    else if (name === 'tasks' && value) {
      operations.tasks = Object.fromEntries(Object.entries(value as Record<string, AnyOperation>)
        .map(([task, fn]) => [task, guard(task, fn)]));
    } else operations[name] = value;
  }
  const wrapped = { ...connector, operations: operations as unknown as ConnectorOperations<unknown> } as C;
  guarded.add(wrapped);
  return wrapped;
}
