export { startUxpinSandbox, DEFAULT_ADMIN, type UxpinSandbox, type UxpinSandboxOptions, type AdminAccount } from './sandbox.ts';
export { generateMembers, ROLES, type Member, type SeedMember, type StateSnapshot } from './state.ts';
export { DEFAULT_KNOBS, knobsFromEnv, type Knobs } from './knobs.ts';
