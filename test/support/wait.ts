/**
 * Waiting in tests: polls with a limit on waiting, never a timing assertion, and the one notion of
 * "this user's change is done with" that the runner, e2e and console tests share.
 */
import type { ProvisioningState, ProvisioningStore } from '../../core/provisioning/state.ts';
import type { RunStore } from '../../core/runs/store.ts';

/** Polls until `check` returns a value; throws naming `what` (read when giving up) after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>, what: string | (() => string), timeoutMs = 90_000, intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface SettleStores {
  provisioning: Pick<ProvisioningStore, 'get'>;
  runs: Pick<RunStore, 'list'>;
}

/**
 * The user's state once their newest change is done with: applied, or failed for good (a run of
 * the current generation that will not be retried), with its run closed. Undefined while anything
 * is still to come.
 */
export async function settledState(stores: SettleStores, connectionId: string, userId: string): Promise<ProvisioningState | undefined> {
  const state = await stores.provisioning.get(connectionId, userId);
  if (!state) return undefined;
  const [run] = await stores.runs.list(connectionId, { userId, limit: 1 });
  if (!run || run.status === 'running') return undefined;
  if (state.state === 'failed') return run.status === 'failed' && run.generation === state.generation ? state : undefined;
  const applied = (state.state === 'in_sync' || state.state === 'removed') && state.appliedGeneration === state.generation;
  return applied ? state : undefined;
}

/** Waits for `settledState` and returns it. */
export function settled(stores: SettleStores, connectionId: string, userId: string, timeoutMs?: number): Promise<ProvisioningState> {
  return waitFor(() => settledState(stores, connectionId, userId), `user ${userId} of ${connectionId} to settle`, timeoutMs);
}
