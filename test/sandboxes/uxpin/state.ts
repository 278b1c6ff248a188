/**
 * What the sandbox "knows": the team's members, the sessions, and counters a test reads to tell
 * what the connector really did (duplicate invites, logins, requests). The connector never reads
 * this; tests read it in-process or over GET /__sandbox/state.
 */
import { randomBytes } from 'node:crypto';

export const ROLES = ['Owner', 'Admin', 'Manager', 'Creator', 'Collaborator', 'Developer'] as const;
export type Role = (typeof ROLES)[number];
/** Roles an admin can hand out: there is exactly one Owner and it is never assigned here. */
export const ASSIGNABLE_ROLES = ROLES.filter((r) => r !== 'Owner');

export interface Member {
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'pending';
}

export interface SeedMember {
  email: string;
  name?: string;
  role?: Role;
  status?: 'active' | 'pending';
}

interface Session {
  createdAt: number;
  /** False between the password and the authentication code. */
  verified: boolean;
}

/** A refusal the UI shows to the admin, with the HTTP status the write answers. */
export interface Refusal {
  status: number;
  message: string;
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** `count` members user01@example.com…, roles cycling, every fifth one still pending. */
export function generateMembers(count: number, domain = 'example.com'): SeedMember[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return {
      email: `user${n}@${domain}`,
      name: `User ${n}`,
      role: ASSIGNABLE_ROLES[i % ASSIGNABLE_ROLES.length],
      status: (i + 1) % 5 === 0 ? 'pending' : 'active',
    };
  });
}

export class SandboxState {
  readonly members: Member[] = [];
  /** Invitations sent per email (lower case): more than one means a duplicate invite. */
  readonly invitesSent: Record<string, number> = {};
  /** Size of every accepted Add request, in order: batching shows as sizes above 1. */
  readonly inviteRequests: number[] = [];
  requests = 0;
  /** Write requests received (invite, role change, removal), whatever their outcome. */
  writes = 0;
  logins = 0;
  /** Writes answered with an injected failure. */
  failuresInjected = 0;
  /** Every screen load in order: 'ok', or 'limited' when a rate-limit storm answered it 429. */
  readonly screenLoads: Array<'ok' | 'limited'> = [];
  /** Every user list served: tells a test whether a client searched or walked the pages. */
  readonly listViews: Array<{ query: string; page: number }> = [];
  private readonly sessions = new Map<string, Session>();

  constructor(owner: { email: string; name: string }, seed: readonly SeedMember[]) {
    this.members.push({ email: owner.email.toLowerCase(), name: owner.name, role: 'Owner', status: 'active' });
    for (const m of seed) {
      if (m.role === 'Owner') throw new Error('the sandbox has exactly one Owner: the admin');
      this.members.push({
        email: m.email.toLowerCase(),
        name: m.name ?? '',
        role: m.role ?? 'Collaborator',
        status: m.status ?? 'active',
      });
    }
  }

  find(email: string): Member | undefined {
    const key = email.trim().toLowerCase();
    return this.members.find((m) => m.email === key);
  }

  /** Members whose name or email contains `query` (case-insensitive), in list order. */
  search(query: string): Member[] {
    const q = query.trim().toLowerCase();
    if (!q) return [...this.members];
    return this.members.filter((m) => m.email.includes(q) || m.name.toLowerCase().includes(q));
  }

  /** All-or-nothing, like the dialog: one bad address refuses the whole batch. */
  checkInvite(emails: readonly string[], role: string, seatLimit: number): Refusal | null {
    if (emails.length === 0) return { status: 400, message: 'Enter a valid email address' };
    for (const email of emails) {
      if (!EMAIL.test(email)) return { status: 400, message: 'Enter a valid email address' };
      if (this.find(email)) return { status: 409, message: `${email} is already a member of this team` };
    }
    if (!(ASSIGNABLE_ROLES as readonly string[]).includes(role)) return { status: 400, message: 'Choose a role' };
    if (this.members.length + emails.length > seatLimit) return { status: 402, message: 'No seats left on your plan' };
    return null;
  }

  invite(emails: readonly string[], role: Role): void {
    this.inviteRequests.push(emails.length);
    for (const raw of emails) {
      const email = raw.toLowerCase();
      this.members.push({ email, name: '', role, status: 'pending' });
      this.invitesSent[email] = (this.invitesSent[email] ?? 0) + 1;
    }
  }

  checkRoleChange(email: string, role: string): Refusal | null {
    const member = this.find(email);
    if (!member) return { status: 404, message: 'User not found' };
    if (member.role === 'Owner') return { status: 403, message: "The Owner's role cannot be changed" };
    if (!(ASSIGNABLE_ROLES as readonly string[]).includes(role)) return { status: 400, message: 'Choose a role' };
    return null;
  }

  changeRole(email: string, role: Role): void {
    const member = this.find(email);
    if (member) member.role = role;
  }

  checkRemove(email: string): Refusal | null {
    const member = this.find(email);
    if (!member) return { status: 404, message: 'User not found' };
    if (member.role === 'Owner') return { status: 403, message: 'The Owner cannot be removed' };
    return null;
  }

  remove(email: string): void {
    const member = this.find(email);
    if (member) this.members.splice(this.members.indexOf(member), 1);
  }

  openSession(verified: boolean, now: number): string {
    const token = randomBytes(18).toString('base64url');
    this.sessions.set(token, { createdAt: now, verified });
    return token;
  }

  verifySession(token: string): void {
    const session = this.sessions.get(token);
    if (session) session.verified = true;
  }

  /** The session behind a cookie, or undefined when absent or older than `lifetimeMs`. */
  session(token: string | undefined, lifetimeMs: number, now: number): Session | undefined {
    const session = token ? this.sessions.get(token) : undefined;
    if (!session || !token) return undefined;
    if (now - session.createdAt > lifetimeMs) {
      this.sessions.delete(token);
      return undefined;
    }
    return session;
  }

  /** Ends every session at once, as if they had all run out. */
  expireSessions(): void {
    this.sessions.clear();
  }

  snapshot() {
    return {
      members: this.members.map((m) => ({ ...m })),
      invitesSent: { ...this.invitesSent },
      inviteRequests: [...this.inviteRequests],
      requests: this.requests,
      writes: this.writes,
      logins: this.logins,
      failuresInjected: this.failuresInjected,
      screenLoads: [...this.screenLoads],
      listViews: this.listViews.map((v) => ({ ...v })),
    };
  }
}

export type StateSnapshot = ReturnType<SandboxState['snapshot']>;
