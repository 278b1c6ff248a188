/**
 * Okta and Entra traffic for N users — creates, role changes, deactivations, re-activations,
 * deletes and re-creates of the same address — and the ledger of what the gateway acknowledged:
 * after every 2xx the user's expected state (in SCIM and in the app) is written down with the time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRng } from '../sandboxes/uxpin/knobs.ts';
import { ENTERPRISE, PATCH_OP, USER_SCHEMA, type Idp, type ScimClient } from './scim-client.ts';

/** SCIM `roles` values and the app roles the connection's roleMap gives them; none → defaultRole. */
export const ROLE_MAP: Record<string, string> = { 'uxpin.admin': 'Admin', 'uxpin.creator': 'Creator', 'uxpin.developer': 'Developer' };
export const DEFAULT_ROLE = 'Collaborator';
const ROLE_VALUES = [undefined, ...Object.keys(ROLE_MAP)] as const;

export interface Expected {
  /** The SCIM id the last acknowledged write was about; undefined before the first create. */
  id: string | undefined;
  exists: boolean;
  active: boolean;
  roleValue: string | undefined;
}

export interface Ack {
  at: number;
  expected: Expected;
  op: Op;
}

export type Op = 'create' | 'role' | 'deactivate' | 'reactivate' | 'delete';

export class ChaosUser {
  expected: Expected = { id: undefined, exists: false, active: false, roleValue: undefined };
  readonly acks: Ack[] = [];
  /** Times the app should have come to hold this address again (each one allows an invitation). */
  becamePresent = 0;

  constructor(readonly email: string, readonly idp: Idp) {}

  get appRole(): string | undefined {
    const e = this.expected;
    if (!e.exists || !e.active) return undefined;
    return (e.roleValue && ROLE_MAP[e.roleValue]) || DEFAULT_ROLE;
  }

  acknowledge(op: Op, at: number, next: Expected): void {
    const wasPresent = this.appRole !== undefined;
    this.expected = next;
    if (!wasPresent && this.appRole !== undefined) this.becamePresent += 1;
    this.acks.push({ at, expected: { ...next }, op });
  }

  /** The last state acknowledged before `time` (what must have survived a crash at `time`). */
  expectedAt(time: number): Ack | undefined {
    return this.acks.filter((a) => a.at < time).at(-1);
  }
}

export interface TrafficOptions {
  users: number;
  /** Writes are spread over this long. */
  durationMs: number;
  /** Changes after the create, per user (at most). Default 4. */
  changesPerUser?: number;
  seed?: number;
}

function userBody(user: ChaosUser, roleValue: string | undefined, active: boolean) {
  const [local = 'x'] = user.email.split('@');
  return {
    schemas: user.idp === 'entra' ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA],
    userName: user.email, active, externalId: `ext-${local}`,
    name: { givenName: local, familyName: user.idp === 'okta' ? 'Okta' : 'Entra' },
    emails: [{ primary: true, value: user.email, type: 'work' }],
    displayName: `${local} ${user.idp}`,
    roles: roleValue ? [{ value: roleValue, primary: user.idp === 'entra' ? 'True' : true }] : [],
    ...(user.idp === 'entra' ? { [ENTERPRISE]: { department: 'Chaos' } } : {}),
  };
}

/** Entra writes booleans as strings and capitalises op names; Okta does neither. */
function activeOps(idp: Idp, active: boolean) {
  return idp === 'entra'
    ? [{ op: 'Replace', path: 'active', value: active ? 'True' : 'False' }]
    : [{ op: 'replace', value: { active } }];
}

function roleOps(idp: Idp, roleValue: string | undefined) {
  const add = roleValue ? [{ op: idp === 'entra' ? 'Add' : 'add', path: 'roles', value: [{ value: roleValue, primary: idp === 'entra' ? 'True' : true }] }] : [];
  return [{ op: idp === 'entra' ? 'Remove' : 'remove', path: 'roles' }, ...add];
}

export class Traffic {
  readonly users: ChaosUser[];
  /** Unexpected answers (not 2xx, not what the step allows), in words. */
  readonly problems: string[] = [];
  lastWriteAt = 0;
  private readonly rng: () => number;

  constructor(private readonly client: ScimClient, private readonly options: TrafficOptions) {
    this.rng = createRng(options.seed ?? 17);
    this.users = Array.from({ length: options.users }, (_, i) =>
      new ChaosUser(`chaos${String(i + 1).padStart(3, '0')}@example.org`, i % 2 === 0 ? 'okta' : 'entra'));
  }

  /** Runs every user's script at once, each spread over the duration; resolves when all are done. */
  async run(): Promise<void> {
    await Promise.all(this.users.map((user) => this.script(user, this.plan(user))));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }

  /** Create first; then role changes, deactivations/re-activations, and (Entra) delete and re-create. */
  private plan(user: ChaosUser): Array<{ at: number; op: Op; roleValue?: string | undefined }> {
    const d = this.options.durationMs;
    const count = 1 + Math.floor(this.rng() * (this.options.changesPerUser ?? 4));
    const times = Array.from({ length: count }, () => d * 0.15 + this.rng() * d * 0.85).sort((a, b) => a - b);
    const steps: Array<{ at: number; op: Op; roleValue?: string | undefined }> = [{ at: this.rng() * d * 0.15, op: 'create', roleValue: this.pick(ROLE_VALUES) }];
    let exists = true;
    let active = true;
    for (const at of times) {
      let op: Op;
      if (!exists) op = 'create';
      else if (!active) op = this.rng() < 0.7 ? 'reactivate' : (user.idp === 'entra' ? 'delete' : 'role');
      else op = this.pick<Op>(user.idp === 'entra' ? ['role', 'role', 'deactivate', 'delete'] : ['role', 'role', 'deactivate']);
      steps.push({ at, op, roleValue: this.pick(ROLE_VALUES) });
      if (op === 'create') [exists, active] = [true, true];
      if (op === 'delete') exists = false;
      if (op === 'deactivate') active = false;
      if (op === 'reactivate') active = true;
    }
    return steps;
  }

  private async script(user: ChaosUser, steps: ReturnType<Traffic['plan']>): Promise<void> {
    const started = Date.now();
    for (const step of steps) {
      const wait = started + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      await this.apply(user, step.op, step.roleValue);
    }
  }

  private async apply(user: ChaosUser, op: Op, roleValue: string | undefined): Promise<void> {
    const e = user.expected;
    const path = `/Users/${e.id}`;
    if (op === 'create') {
      const answer = await this.client.send(user.idp, 'POST', '/Users', userBody(user, roleValue, true));
      // 409: an earlier try of this create was saved but its answer lost (a 5xx, a cut): adopt it.
      const id = answer.status === 201 ? answer.body.id as string : answer.status === 409 ? await this.lookUp(user) : undefined;
      return this.acked(user, op, answer, id !== undefined, { id, exists: true, active: true, roleValue });
    }
    if (op === 'delete') {
      const answer = await this.client.send(user.idp, 'DELETE', path);
      // 404 after a retry: the first try deleted it.
      return this.acked(user, op, answer, answer.status === 204 || answer.status === 404, { ...e, exists: false });
    }
    const ops = op === 'role' ? roleOps(user.idp, roleValue) : activeOps(user.idp, op === 'reactivate');
    const answer = await this.client.send(user.idp, 'PATCH', path, { schemas: [PATCH_OP], Operations: ops });
    const next = op === 'role' ? { ...e, roleValue } : { ...e, active: op === 'reactivate' };
    return this.acked(user, op, answer, answer.status === 200 || answer.status === 204, next);
  }

  private acked(user: ChaosUser, op: Op, answer: { status: number; at: number; body: unknown }, ok: boolean, next: Expected): void {
    this.lastWriteAt = Math.max(this.lastWriteAt, answer.at);
    if (!ok) {
      this.problems.push(`${user.email} ${op}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      return;
    }
    user.acknowledge(op, answer.at, next);
  }

  private async lookUp(user: ChaosUser): Promise<string | undefined> {
    const filter = encodeURIComponent(`userName eq "${user.email}"`);
    const answer = await this.client.send(user.idp, 'GET', `/Users?filter=${filter}`);
    return (answer.body.Resources as Array<{ id: string }> | undefined)?.[0]?.id;
  }
}

/** What GET /Users/{id} must show for `expected`; undefined when it does, else the difference in words. */
export async function readBack(client: ScimClient, user: ChaosUser, expected: Expected): Promise<string | undefined> {
  if (!expected.id) return undefined;
  const answer = await client.send(user.idp, 'GET', `/Users/${expected.id}`);
  if (!expected.exists) return answer.status === 404 ? undefined : `${user.email} deleted but GET answers ${answer.status}`;
  if (answer.status !== 200) return `${user.email} GET answers ${answer.status}`;
  const active = answer.body.active === true;
  const roleValue = (answer.body.roles as Array<{ value: string }> | undefined)?.[0]?.value;
  if (active !== expected.active || roleValue !== expected.roleValue) {
    return `${user.email}: expected active=${expected.active} role=${expected.roleValue ?? '-'}, GET shows active=${active} role=${roleValue ?? '-'}`;
  }
  return undefined;
}
