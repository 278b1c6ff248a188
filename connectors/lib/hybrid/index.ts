/** The hybrid-connector kit: browser for the app's SCIM token, the app's SCIM for users (README.md). */
export { hybridUserOperations } from './operations.ts';
export type { BrowserRoles, HybridUsersConfig, RemoveMode } from './operations.ts';
export { assignableRole, canonicalRole, isProtectedRole, leastRole, refuseProtected } from './roles.ts';
export type { RoleCatalog } from './roles.ts';
export { toObserved } from './scim-users.ts';
export { tokenTasks } from './token-tasks.ts';
export type { IssuedToken, OpenedTokenScreen, TokenApp, TokenTasks } from './token-tasks.ts';
export { vaultUpstream, withUpstream } from './upstream.ts';
export type { UpstreamApp } from './upstream.ts';
export { requiredValue, tokenSettings, VAULT } from './vault.ts';
