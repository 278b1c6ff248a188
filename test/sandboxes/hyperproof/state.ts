/**
 * In-memory model of one Hyperproof organization as the sandbox serves it: people, the SCIM
 * provisioning switch and its tokens (kept only as hashes), REST API tokens, admin sessions.
 * See /work/shared/apps/hyperproof.md for what is documented and what is the sandbox's choice.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Hyperproof's organizational roles, most privileged first (hyperproof.md). */
export const HYPERPROOF_ROLES = ['Admin', 'Compliance manager', 'User', 'Limited access user', 'External auditor'] as const;
export type HyperproofRole = (typeof HYPERPROOF_ROLES)[number];
/** Entra's app-role values (hyperproof.md); the sandbox honours them only with knob scimRoles 'entra'. */
export const ENTRA_ROLE_VALUES: Record<string, HyperproofRole> = {
  ORGANIZATION_ADMINISTRATOR: 'Admin',
  COMPLIANCE_MANAGER: 'Compliance manager',
  USER: 'User',
  LIMITED_ACCESS_USER: 'Limited access user',
};
export const SCIM_DEFAULT_ROLE: HyperproofRole = 'Limited access user';

export type PersonStatus = 'Active' | 'Deactivated' | 'Invited' | 'Contact';

export interface Person {
  id: string;
  /** Email = userName, the unique key (case-insensitive). */
  email: string;
  givenName: string;
  familyName: string;
  role: HyperproofRole;
  status: PersonStatus;
  /** Who made them: over SCIM, or in the app (the admin, invitations, imports). */
  source: 'scim' | 'app';
  /** They own work, so Deactivate asks whom to assign it to. */
  ownsWork: boolean;
  deactivatedAt: string | null;
  created: string;
  lastModified: string;
}

export interface SeedPerson {
  email: string;
  givenName?: string;
  familyName?: string;
  role?: HyperproofRole;
  status?: PersonStatus;
  ownsWork?: boolean;
}

export interface TokenRecord {
  id: string;
  hash: string;
  last4: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Session {
  expiresAt: number;
  /** 'totp': password accepted, verification code still due. */
  stage: 'totp' | 'ok';
  csrf: string;
  /** The last action's toast and until when it shows (presentation.lingeringToast). */
  toast?: { message: string; until: number; shown: boolean };
  next?: string;
  /** The token made as the Provisioning dialog opened: live only after Save. */
  draft?: TokenRecord;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class HyperproofState {
  readonly orgId = `org_${randomBytes(6).toString('hex')}`;
  readonly people = new Map<string, Person>();
  provisioning = false;
  tokens: TokenRecord[] = [];
  /** REST tokens of Integrations → API Tokens: SCIM refuses them. */
  restTokens: string[] = [];
  readonly sessions = new Map<string, Session>();
  readonly stats = {
    scimRequests: 0, rateLimited: 0, unauthorized: 0, injectedFailures: 0,
    tokensIssued: 0, tokensDeleted: 0, usersCreated: 0, usersDeleted: 0,
  };
  /** Every SCIM call as received (never its Authorization header). */
  readonly scimCalls: Array<{ method: string; path: string; status: number; body?: unknown }> = [];
  private lastStamp = 0;

  constructor(admin: SeedPerson, seeded: SeedPerson[] = []) {
    this.addPerson({ role: 'Admin', ...admin });
    for (const seed of seeded) this.addPerson(seed);
  }

  /** Strictly increasing ISO timestamps, so two tokens made in the same millisecond differ. */
  now(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  addPerson(seed: SeedPerson, source: Person['source'] = 'app'): Person {
    const stamp = this.now();
    const [local = 'user'] = seed.email.split('@');
    const status = seed.status ?? 'Active';
    const person: Person = {
      id: randomUUID(), email: seed.email, givenName: seed.givenName ?? local, familyName: seed.familyName ?? 'Example',
      role: seed.role ?? 'User', status, source, ownsWork: seed.ownsWork ?? false,
      deactivatedAt: status === 'Deactivated' ? stamp : null, created: stamp, lastModified: stamp,
    };
    this.people.set(person.id, person);
    return person;
  }

  byEmail(email: string): Person | undefined {
    const wanted = email.trim().toLowerCase();
    for (const person of this.people.values()) if (person.email.toLowerCase() === wanted) return person;
    return undefined;
  }

  /** Email is unique case-insensitively across everyone, deactivated people too (hyperproof.md). */
  emailTaken(email: string, exceptId?: string): boolean {
    const found = this.byEmail(email);
    return found !== undefined && found.id !== exceptId;
  }

  deactivate(person: Person): void {
    person.status = 'Deactivated';
    person.deactivatedAt = this.now();
    person.lastModified = person.deactivatedAt;
  }

  reactivate(person: Person): void {
    person.status = 'Active';
    person.deactivatedAt = null;
    person.lastModified = this.now();
  }

  deletePerson(id: string): void {
    if (this.people.delete(id)) this.stats.usersDeleted += 1;
  }

  /** Makes a token record and its plaintext, once; `live` adds it to the accepted tokens. */
  makeToken(live: boolean): { record: TokenRecord; token: string } {
    const token = `hps_${randomBytes(30).toString('base64url')}`;
    const record: TokenRecord = { id: randomUUID(), hash: hashToken(token), last4: token.slice(-4), createdAt: this.now(), lastUsedAt: null };
    this.stats.tokensIssued += 1;
    if (live) this.tokens.push(record);
    return { record, token };
  }

  deleteToken(id: string): boolean {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.id !== id);
    const deleted = this.tokens.length < before;
    if (deleted) this.stats.tokensDeleted += 1;
    return deleted;
  }

  /** Switching provisioning off deletes every token (hyperproof.md). */
  turnOff(): void {
    this.stats.tokensDeleted += this.tokens.length;
    this.tokens = [];
    this.provisioning = false;
  }

  /** The live token a bearer value is, if any (only while provisioning is on). */
  liveToken(bearer: string): TokenRecord | undefined {
    if (!this.provisioning) return undefined;
    const hash = hashToken(bearer);
    return this.tokens.find((t) => t.hash === hash);
  }

  /** Test-only view: token hashes and last four characters, never a token itself. */
  snapshot() {
    return {
      orgId: this.orgId,
      provisioning: this.provisioning,
      people: [...this.people.values()].map((p) => ({ ...p })),
      tokens: this.tokens.map((t) => ({ ...t })),
      restTokens: this.restTokens.length,
      stats: { ...this.stats },
    };
  }
}

export type HyperproofSnapshot = ReturnType<HyperproofState['snapshot']>;
