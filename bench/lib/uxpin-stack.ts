/**
 * What the UXPin benches share around a running stack (test/support/stack.ts): SCIM users for
 * members the sandbox already has, seeded members by mode, and each user's removal observed as the
 * worker completes their job with the state `removed`.
 */
import { performance } from 'node:perf_hooks';
import type { Job } from 'bullmq';
import { scim, type ScimConnection, type Stack } from '../../test/support/stack.ts';
import { emailOf } from '../uxpin-baselines.ts';

/** A removal seen done: when (performance.now()) and the job that did it. */
export interface Completion { at: number; job: Job }

/** Resolves each user's removal as the worker completes their job and the state says removed. */
export function completions(stack: Stack, conn: ScimConnection, userIds: string[]) {
  const pending = new Map<string, (c: Completion) => void>();
  const done = new Map<string, Promise<Completion>>();
  for (const id of userIds) done.set(id, new Promise((resolve) => pending.set(id, resolve)));
  const onCompleted = (job: Job) => {
    const userId = (job.data as { userId?: string }).userId;
    const resolve = userId ? pending.get(userId) : undefined;
    if (!userId || !resolve) return;
    const at = performance.now();
    void stack.core.directory.provisioning.get(conn.id, userId).then((state) => {
      if (state?.state === 'removed') { pending.delete(userId); resolve({ at, job }); }
    });
  };
  stack.worker.worker.on('completed', onCompleted);
  return { done, stop: () => stack.worker.worker.off('completed', onCompleted) };
}

/** A job that never completes (retries exhausted) must end the bench, not hang it. */
export const CASE_LIMIT_MS = 15 * 60_000;

export async function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not done after ${limitMs} ms`)), limitMs); });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SCIM users for members the sandbox already has. Their create jobs are dropped unrun (the app
 * already shows them as wanted), so setup costs no browser time; the removal still converges.
 */
export async function scimUsersFor(stack: Stack, conn: ScimConnection, emails: string[]): Promise<string[]> {
  await stack.worker.worker.pause();
  const ids: string[] = [];
  for (const email of emails) {
    const res = await scim(conn, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: email, active: true });
    if (res.status !== 201) throw new Error(`create ${email}: ${res.status}`);
    ids.push(res.body.id as string);
  }
  await stack.worker.queue.queue.drain(true);
  stack.worker.worker.resume();
  return ids;
}

export function seedMembers(counts: Record<string, number>) {
  return Object.entries(counts).flatMap(([mode, n]) => Array.from({ length: n }, (_, i) => ({ email: emailOf(mode, i), role: 'Collaborator' as const })));
}

export const PATCH_INACTIVE = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] };
