/**
 * Named presentation presets of the Spekit sandbox (issue 10). Each preset changes several of the
 * things spekit.md leaves open at once, and together they use every value of every knob in
 * SpekitPresentation at least once, so a connector that relies on one presentation fails a preset.
 * The connector suites and the Spekit end-to-end tests run over all of them.
 */
import type { SpekitPresentation } from './knobs.ts';
import { DEFAULT_PRESENTATION } from './knobs.ts';

export interface SpekitVariant {
  name: string;
  presentation: SpekitPresentation;
}

const variant = (name: string, changes: Partial<SpekitPresentation>): SpekitVariant => ({
  name, presentation: { ...DEFAULT_PRESENTATION, ...changes },
});

export const SPEKIT_VARIANTS: readonly SpekitVariant[] = [
  /** What the sandbox drew before issue 10: the presentation the connector was written against. */
  variant('as-built', {}),
  /** The independent copy of issue 10: "Email or username", which stopped setup at the login page. */
  variant('independent-copy', {
    loginLabel: 'Email or username', loginButton: 'Sign in', landing: 'requested', settings: 'gear-button',
    scimEntry: 'tab', randomIds: true, tokenField: 'textarea', toast: true, usersView: 'grid', emptyState: 'text', scripted: true,
  }),
  variant('email', {
    loginLabel: 'Email', loginButton: 'Continue', landing: 'requested', settings: 'gear-button',
    randomIds: true, toast: true, emptyState: 'row', scripted: true,
  }),
  variant('email-address', {
    loginLabel: 'Email address', loginButton: 'Sign in', scimEntry: 'tab', tokenField: 'textarea', usersView: 'grid', emptyState: 'row',
  }),
  variant('username', {
    loginLabel: 'Username', loginButton: 'Continue', landing: 'requested', scimEntry: 'tab',
    randomIds: true, toast: true, usersView: 'grid', emptyState: 'text', scripted: true,
  }),
];

/** Every value each knob can take: the presets must cover them all (variants.test.ts checks). */
export const PRESENTATION_VALUES: { [K in keyof SpekitPresentation]: ReadonlyArray<SpekitPresentation[K]> } = {
  loginLabel: ['Username or email', 'Email or username', 'Email', 'Email address', 'Username'],
  loginButton: ['Log in', 'Sign in', 'Continue'],
  landing: ['dashboard', 'requested'],
  settings: ['link', 'gear-button'],
  scimEntry: ['link', 'tab'],
  randomIds: [false, true],
  tokenField: ['input', 'textarea'],
  toast: [false, true],
  usersView: ['table', 'grid'],
  emptyState: ['row', 'text', 'none'],
  scripted: [false, true],
};

/** One preset by name (SPEKIT_VARIANT narrows a local run to it); throws on an unknown name. */
export function spekitVariant(name: string): SpekitVariant {
  const found = SPEKIT_VARIANTS.find((v) => v.name === name);
  if (!found) throw new Error(`unknown Spekit sandbox variant ${name}; known: ${SPEKIT_VARIANTS.map((v) => v.name).join(', ')}`);
  return found;
}

/** The presets a test file runs over: all of them, or only SPEKIT_VARIANT's when it is set. */
export function spekitVariantsToRun(): readonly SpekitVariant[] {
  const only = process.env.SPEKIT_VARIANT;
  return only ? [spekitVariant(only)] : SPEKIT_VARIANTS;
}
