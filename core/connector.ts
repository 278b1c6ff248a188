/**
 * The connector contract. A connector is data (id, capabilities, settings schema) plus operations
 * written against the app's UI or API. It never retries, schedules or records evidence itself:
 * the runner does that around every operation (see runner/).
 */
import type { Page } from 'playwright-core';
import type { z } from 'zod';

/** What the app can do; the gateway advertises only what a connector declares. */
export interface ConnectorCapabilities {
  invite: boolean;
  changeRole: boolean;
  remove: boolean;
  /** The app can deactivate a user without removing them. */
  deactivate: boolean;
  listUsers: boolean;
  /** Group membership is pushed to the app (e.g. Spekit teams). */
  groups: boolean;
  /** Several invites can be sent in one action. */
  bulkInvite: boolean;
  /**
   * The app's role names, as a person sees them, MOST PRIVILEGED FIRST: when several groups map
   * to roles the first listed wins, and without any mapping the last (least) role is the default.
   */
  roles: readonly string[];
  /** Roles the connector must never assign, demote or remove (e.g. UXPin's Owner). */
  protectedRoles: readonly string[];
  /** Names of connection-level tasks (e.g. Spekit's `setup`, `rotate`); the registry fills this in. */
  tasks?: readonly string[];
  /** The connector has a read-only canary `check`; the registry fills this in. */
  check?: boolean;
}

export type ObservedStatus = 'active' | 'pending' | 'deactivated';

/** A user as the app shows them now. */
export interface ObservedUser {
  email: string;
  role: string | null;
  status: ObservedStatus;
  displayName?: string;
  /** The app's own id for the user, where it has one (API-backed apps). */
  appId?: string;
}

/** What scimwright wants the app to show for one user. */
export interface DesiredUser {
  email: string;
  /** false: the user must not be a member (removed, or deactivated where the app can). */
  member: boolean;
  role: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  /** Names of the SCIM groups the user belongs to (for apps that take groups). */
  groups: string[];
}

export interface AdminCredentials {
  email: string;
  password: string;
  totpSecret?: string;
}

/** Per-connection secrets and values a connector keeps between runs (e.g. Spekit's API token). */
export interface ConnectorVault {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface StepOptions {
  /** Strings to mask in this step's screenshots and captures in addition to the known secrets. */
  secrets?: string[];
}

/** Runs `fn` as one evidenced step: screenshots before and after, outcome recorded. */
export type StepFn = <T>(name: string, fn: () => Promise<T>, options?: StepOptions) => Promise<T>;

export interface ConnectorContext<Settings = unknown> {
  connectionId: string;
  /** The app's base URL, e.g. https://app.uxpin.com — configuration, never hard-coded. */
  baseUrl: string;
  credentials: AdminCredentials;
  settings: Settings;
  /** The connection's browser page; opened lazily so API-only operations start no browser. */
  page(): Promise<Page>;
  step: StepFn;
  vault: ConnectorVault;
  /** Register a secret learnt during the run (e.g. a token) so evidence and logs mask it. */
  addSecret(secret: string): void;
  signal: AbortSignal;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** What a canary check saw, one line per screen walked ("Team page: 3 members listed"). */
export interface CheckReport {
  observations: string[];
}

/**
 * What the app showed when an operation read its own result back: the user as listed, or null
 * when absent. `void` when it did not: the runner then reads the app itself to verify.
 */
export type ReadBack = ObservedUser | null | void;

export interface ConnectorOperations<Settings> {
  /** Log in to the admin UI (with TOTP when configured). Throws PermanentAppError on bad credentials. */
  login(ctx: ConnectorContext<Settings>): Promise<void>;
  findUser(ctx: ConnectorContext<Settings>, email: string): Promise<ObservedUser | null>;
  invite(ctx: ConnectorContext<Settings>, user: DesiredUser): Promise<ReadBack>;
  /**
   * Invite several users at once (the runner batches new users whose jobs wait on the same
   * connection). Must be idempotent like `invite`: a user already in the app gets the asked role.
   * It need not read back: the runner reads each user back in that user's own run, and after a
   * throw it falls back to `invite` for the job's own user and leaves the others to their jobs.
   */
  inviteMany?(ctx: ConnectorContext<Settings>, users: DesiredUser[]): Promise<void>;
  changeRole(ctx: ConnectorContext<Settings>, user: DesiredUser): Promise<ReadBack>;
  /** `why.deleted`: the IdP deleted the user (SCIM DELETE) rather than deactivating them. */
  remove(ctx: ConnectorContext<Settings>, user: ObservedUser, why?: { deleted: boolean }): Promise<ReadBack>;
  deactivate?(ctx: ConnectorContext<Settings>, user: ObservedUser): Promise<ReadBack>;
  reactivate?(ctx: ConnectorContext<Settings>, user: DesiredUser): Promise<ReadBack>;
  /** Bring profile fields and group membership in line (API-backed apps). */
  update?(ctx: ConnectorContext<Settings>, user: DesiredUser, observed: ObservedUser): Promise<void>;
  listUsers(ctx: ConnectorContext<Settings>): Promise<ObservedUser[]>;
  /**
   * A read-only canary walk of the screens later operations depend on (log in, open the member
   * list, search a known member and a surely-absent address, open the invite dialog and cancel
   * it...). Changes nothing in the app. Throws (ideally ScreenMismatchError) when a screen is not
   * as expected; returns what it saw, in words, for the connection's last-check record.
   */
  check?(ctx: ConnectorContext<Settings>): Promise<CheckReport>;
  /** Connection-level jobs such as Spekit's token setup and rotation, run by name. */
  tasks?: Record<string, (ctx: ConnectorContext<Settings>) => Promise<void>>;
}

export interface ConnectorDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  /** The app's name as people write it. */
  name: string;
  capabilities: ConnectorCapabilities;
  /** App-specific connection settings, validated when a connection is created or changed. */
  settings: S;
  operations: ConnectorOperations<z.infer<S>>;
}

/** Declares a connector; the identity function exists to infer the settings type. */
export function defineConnector<S extends z.ZodType>(definition: ConnectorDefinition<S>): ConnectorDefinition<S> {
  return definition;
}

/** What the gateway (api/) may know of a connector: no operations, nothing that drives a browser. */
export interface ConnectorDescriptor {
  id: string;
  name: string;
  capabilities: ConnectorCapabilities;
  settings: z.ZodType;
}
