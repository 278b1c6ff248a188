/**
 * A hybrid connector's user operations: users (and groups) over the app's SCIM via the kit, the
 * role over SCIM or set and read back in the browser after every create, reactivation and
 * change, and deprovisioning by deactivation, upstream DELETE or a browser delete. Every call
 * runs inside `withUpstream`, so a refused token is rotated once and the operation run again.
 */
import type { ConnectorContext, ConnectorOperations, DesiredUser, ObservedUser } from '../../../core/connector.ts';
import { TransientAppError } from '../../../core/errors.ts';
import type { ScimUpstream, UpstreamUser } from '../scim-upstream/index.ts';
import { assignableRole, refuseProtected, type RoleCatalog } from './roles.ts';
import { converge, ensureUser, idOf, mustFind, setScimRole, toObserved, type ScimUserShape } from './scim-users.ts';
import { withUpstream, type UpstreamApp } from './upstream.ts';

/** The page-object functions that set and read a user's role where the app's SCIM cannot. */
export interface BrowserRoles<S> {
  /** Sets the role on the app's users page (through any confirmation it asks). */
  set(ctx: ConnectorContext<S>, email: string, role: string): Promise<void>;
  /** The role the users page shows now, after a reload (not a message's word); null when not listed. */
  read(ctx: ConnectorContext<S>, email: string): Promise<string | null>;
  /** Every listed user's role by lower-cased email, for listUsers (one page walk, not one per user). */
  list(ctx: ConnectorContext<S>): Promise<Map<string, string>>;
}

export type RemoveMode = 'deactivate' | 'delete';

export interface HybridUsersConfig<S> extends UpstreamApp<S> {
  catalog: RoleCatalog;
  /** Bring `DesiredUser.groups` in line as SCIM groups (Spekit teams, Hex groups). */
  groups: boolean;
  /**
   * Where the role lives. `scim`: sent as the SCIM `roles` value and read from it, with `value`
   * giving the app's spelling. Else the browser functions set and read it; roles are never sent.
   */
  roles: { scim: { value: (user: DesiredUser) => string; read: (user: UpstreamUser) => string | null } } | { browser: BrowserRoles<S> };
  /** What `remove` does for this call. Default 'delete'. */
  removeMode?: (ctx: ConnectorContext<S>, why?: { deleted: boolean }) => RemoveMode;
  /** 'delete' in the browser (Hyperproof) rather than upstream DELETE: the kit deactivates over SCIM first. */
  browserDelete?: (ctx: ConnectorContext<S>, user: ObservedUser) => Promise<void>;
}

type UserOperations<S> = Pick<ConnectorOperations<S>, 'findUser' | 'invite' | 'changeRole' | 'update' | 'deactivate' | 'reactivate' | 'remove' | 'listUsers'>;

function shapeOf<S>(config: HybridUsersConfig<S>): ScimUserShape {
  const scim = 'scim' in config.roles ? config.roles.scim : undefined;
  return { name: config.name, groups: config.groups, scimRole: scim?.value, observedRole: scim?.read ?? (() => null) };
}

export function hybridUserOperations<S>(config: HybridUsersConfig<S>): UserOperations<S> {
  const shape = shapeOf(config);
  const browser = 'browser' in config.roles ? config.roles.browser : undefined;
  const api = <T>(ctx: ConnectorContext<S>, fn: (upstream: ScimUpstream) => Promise<T>) => withUpstream(ctx, config, fn);

  /** The role in the browser, read back after a reload: a page that shows another role has not taken it. */
  async function setRole(ctx: ConnectorContext<S>, user: DesiredUser): Promise<void> {
    if (!browser) return;
    await browser.set(ctx, user.email, assignableRole(config.catalog, user.role));
    const shown = await browser.read(ctx, user.email);
    if (shown?.toLowerCase() !== user.role.toLowerCase()) {
      throw new TransientAppError(`${config.name} shows ${user.email} as ${shown ?? 'not listed'} after setting ${user.role}`);
    }
  }

  /**
   * Before anything is sent for a desired user: the role must be one scimwright may assign, and a
   * user who holds a protected role now (the connector's own admin account is one) is left alone.
   * The page is read only when the app has protected roles.
   */
  async function mayChange(ctx: ConnectorContext<S>, user: DesiredUser): Promise<void> {
    if (config.catalog.protectedRoles.length === 0) return;
    if (browser) {
      assignableRole(config.catalog, user.role);
      refuseProtected(config.catalog, user.email, await browser.read(ctx, user.email));
    }
  }

  /** A deprovisioning goes by the role the runner observed. */
  function mayDeprovision(user: ObservedUser): void {
    refuseProtected(config.catalog, user.email, user.role);
  }

  async function observed(ctx: ConnectorContext<S>, user: UpstreamUser): Promise<ObservedUser> {
    const seen = toObserved(shape, user);
    return browser ? { ...seen, role: await browser.read(ctx, seen.email) } : seen;
  }

  async function deactivate(ctx: ConnectorContext<S>, user: ObservedUser): Promise<void> {
    mayDeprovision(user);
    await api(ctx, async (upstream) => upstream.deactivateUser(await idOf(shape, upstream, user)));
  }

  return {
    findUser: async (ctx, email) => {
      const user = await api(ctx, (upstream) => upstream.findUserByUserName(email));
      return user ? observed(ctx, user) : null;
    },

    /** "Invite" is a SCIM create (after a lookup); the app's own default role may differ, so the role is set after. */
    invite: async (ctx, user) => {
      await mayChange(ctx, user);
      await api(ctx, (upstream) => ensureUser(shape, upstream, user));
      await setRole(ctx, user);
    },

    changeRole: async (ctx, user) => {
      await mayChange(ctx, user);
      if (browser) await setRole(ctx, user);
      else await api(ctx, (upstream) => setScimRole(shape, upstream, user));
    },

    update: async (ctx, user) => {
      await api(ctx, async (upstream) => converge(shape, upstream, await mustFind(shape, upstream, user.email), user));
    },

    deactivate,

    /** Reactivation restores the role: the app may have reset it while the user was deactivated. */
    reactivate: async (ctx, user) => {
      await mayChange(ctx, user);
      await api(ctx, async (upstream) => converge(shape, upstream, await mustFind(shape, upstream, user.email), user, true));
      await setRole(ctx, user);
    },

    /** removeMode decides per call (Spekit deletes only on an IdP DELETE with deleteOnDeprovision: active=false may be undone). */
    remove: async (ctx, user, why) => {
      if ((config.removeMode?.(ctx, why) ?? 'delete') === 'deactivate') return deactivate(ctx, user);
      mayDeprovision(user);
      if (config.browserDelete) {
        await api(ctx, async (upstream) => upstream.deactivateUser(await idOf(shape, upstream, user)));
        return config.browserDelete(ctx, user);
      }
      await api(ctx, async (upstream) => upstream.deleteUser(await idOf(shape, upstream, user)));
    },

    listUsers: async (ctx) => {
      const users = await api(ctx, (upstream) => upstream.listUsers());
      const roles = browser ? await browser.list(ctx) : undefined;
      return users.map((user) => {
        const seen = toObserved(shape, user);
        return roles ? { ...seen, role: roles.get(seen.email.toLowerCase()) ?? null } : seen;
      });
    },
  };
}
