/** The test app's pages: plain HTML with labels and roles, so the connector locates as a person would. */
export interface AppUser { email: string; role: string; status: 'active' | 'pending' | 'deactivated' }

export const ROLES = ['Owner', 'Admin', 'Editor', 'Viewer'] as const;

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><link rel="icon" href="data:,"></head><body>${body}</body></html>`;
}

export function loginHtml(error?: string): string {
  // The password input mirrors what is typed into its value attribute, as some apps do, so a
  // captured HTML would hold the password unless evidence strips it.
  return page('Sign in', `<h1>Sign in</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/login">
<label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password" oninput="this.setAttribute('value', this.value)"></label>
<button type="submit">Sign in</button></form>`);
}

const options = (selected: string) =>
  ROLES.map((r) => `<option${r === selected ? ' selected' : ''}>${r}</option>`).join('');

function row(user: AppUser, index: number): string {
  const email = esc(user.email);
  return `<tr><td>${email}</td><td>${esc(user.role)}</td><td>${user.status}</td><td>
<form method="post" action="/role"><input type="hidden" name="email" value="${email}">
<label for="role-${index}">Role of ${email}</label> <select id="role-${index}" name="role">${options(user.role)}</select>
<button type="submit">Save role of ${email}</button></form>
<form method="post" action="/remove"><input type="hidden" name="email" value="${email}">
<button type="submit">Remove ${email}</button></form></td></tr>`;
}

export function usersHtml(users: AppUser[], token: string, error?: string): string {
  return page('Users', `<h1>Users</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<p>API token: <code>${esc(token)}</code></p>
<table><thead><tr><th>Email</th><th>Role</th><th>Status</th><th>Actions</th></tr></thead>
<tbody>${users.map(row).join('')}</tbody></table>
<h2>Invite</h2><form method="post" action="/invite">
<label>Invite email <input name="email" type="email"></label>
<label>Invite role <select name="role">${options('Viewer')}</select></label>
<button type="submit">Send invite</button></form>`);
}
