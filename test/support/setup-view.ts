/**
 * The setup state as the admin API shows it, waited for: a task's outcome is recorded when the
 * worker reports the job done or failed, a moment after the run record a test waits on.
 */
import { readSetupState, type SetupStateView, type SetupStatus } from '../../core/connections/setup-state.ts';
import { waitFor } from './wait.ts';

type Read = Parameters<typeof readSetupState>;

export async function setupStateBecomes(services: Read[0], connection: Read[1], state: SetupStatus, timeoutMs = 30_000): Promise<SetupStateView> {
  let last: SetupStateView | undefined;
  return waitFor(async () => {
    last = await readSetupState(services, connection, ['setup', 'rotate']);
    return last?.state === state ? last : undefined;
  }, () => `the setup state "${state}" (it says "${last?.state}": ${last?.message})`, timeoutMs);
}
