/**
 * When a connection's app token (Spekit's SCIM bearer token) is due for its scheduled rotation.
 * Pure: the runner's scheduler (runner/app-token-scheduler.ts) feeds it connections and the time
 * each token was last issued, and enqueues the connector's `rotate` task for the ones it returns.
 */

export const DAY_MS = 86_400_000;

/** Connector tasks that leave a new app token behind: either one restarts the rotation clock. */
export const TOKEN_TASKS: readonly string[] = ['setup', 'rotate'];

/** The connection setting (in `settings.app`) that schedules rotation, in days (spekit.md). */
export const ROTATION_SETTING = 'appTokenRotationDays';

export interface RotationCandidate {
  connectionId: string;
  rotationDays: number;
  /** When the current token was issued (ms since the epoch), or first seen by the scheduler. */
  lastIssuedAt: number;
}

/** `settings.app.appTokenRotationDays` when it is a positive integer, else undefined (on demand only). */
export function rotationDays(app: Record<string, unknown> | undefined): number | undefined {
  const value = app?.[ROTATION_SETTING];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** When the candidate's next rotation falls due (ms since the epoch). */
export function nextRotationAt(candidate: Pick<RotationCandidate, 'rotationDays' | 'lastIssuedAt'>, dayMs = DAY_MS): number {
  return candidate.lastIssuedAt + candidate.rotationDays * dayMs;
}

/** The connections whose token is at least `rotationDays` old at `now`, most overdue first. */
export function dueForRotation(candidates: readonly RotationCandidate[], now: number, dayMs = DAY_MS): string[] {
  return candidates
    .map((candidate) => ({ id: candidate.connectionId, dueAt: nextRotationAt(candidate, dayMs) }))
    .filter((entry) => entry.dueAt <= now)
    .sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id))
    .map((entry) => entry.id);
}
