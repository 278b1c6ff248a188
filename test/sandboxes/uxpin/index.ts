export { startUxpinSandbox, DEFAULT_ADMIN, type UxpinSandbox, type UxpinSandboxOptions, type AdminAccount } from './sandbox.ts';
export { generateMembers, ROLES, type Member, type SeedMember, type StateSnapshot } from './state.ts';
export { DEFAULT_KNOBS, knobsFromEnv, type Knobs } from './knobs.ts';
export { DEFAULT_PRESENTATION, LOGIN_LABELS, type Presentation } from './presentation.ts';
export { VARIANTS, VARIANT_NAMES, variantKnobs, type VariantName, type VariantKnobs } from './variants.ts';
