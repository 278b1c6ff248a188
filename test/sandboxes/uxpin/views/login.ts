/** Login screens: password form, then (when a TOTP secret is configured) the authentication code. */
import { esc, layout } from './layout.ts';

function alert(message: string | undefined): string {
  return message ? `<p role="alert">${esc(message)}</p>` : '';
}

export interface LoginLook {
  /** The account field's label (presentation knob loginLabel). */
  label: string;
  /** Where to go after login, when the login was asked for by another page. */
  next?: string;
}

export function loginPage(look: LoginLook, error?: string, email = ''): string {
  const next = look.next ? `<input type="hidden" name="next" value="${esc(look.next)}">` : '';
  return layout('Log in', `
    <h1>Log in to UXPin</h1>
    ${alert(error)}
    <form method="post" action="/login">
      ${next}
      <label for="email">${esc(look.label)}</label>
      <input id="email" name="email" type="${/user/i.test(look.label) ? 'text' : 'email'}" autocomplete="username" value="${esc(email)}" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <p><button type="submit">Log in</button></p>
    </form>`);
}

export function verifyPage(error?: string): string {
  return layout('Two-factor authentication', `
    <h1>Two-factor authentication</h1>
    <p>Enter the 6-digit code from your authenticator app.</p>
    ${alert(error)}
    <form method="post" action="/login/verify">
      <label for="code">Authentication code</label>
      <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
      <p><button type="submit">Verify</button></p>
    </form>`);
}

export function dashboardPage(): string {
  return layout('Dashboard', `
    <h1>Your projects</h1>
    <p>No projects yet.</p>`, { topBar: true });
}
