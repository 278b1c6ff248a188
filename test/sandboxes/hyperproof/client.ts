/**
 * The script every signed-in sandbox page carries: the admin page's actions are JSON POSTs under a
 * CSRF header (name and value random, hyperproof.md), answered by reloading the page; an error is
 * the page's alert, a 401 goes to sign-in. Kept as one plain-JS string, sent inline.
 */
import type { PageView } from './presentation.ts';

const SCRIPT = String.raw`
const cfg = window.HP_CFG;
const $ = (id) => document.getElementById(id + '-' + cfg.salt);
const hp = window.hp = {
  open(id) { const d = $(id); if (d.showModal) { if (!d.open) d.showModal(); } else d.hidden = false; },
  close(id) { const d = $(id); if (d.close) d.close(); else d.hidden = true; },
  error() {
    const box = $('hp-alerts');
    box.replaceChildren();
    const a = document.createElement('div'); a.setAttribute('role', 'alert'); a.textContent = 'Something went wrong. Please try again.';
    box.append(a);
  },
  busy(on) {
    if (!cfg.spinner) return;
    let s = $('hp-saving');
    if (on && !s) { s = document.createElement('div'); s.id = 'hp-saving-' + cfg.salt; s.setAttribute('role', 'progressbar'); s.setAttribute('aria-label', 'Saving'); document.body.append(s); }
    if (!on && s) s.remove();
  },
  async api(path, body) {
    hp.busy(true);
    try {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', [cfg.csrfHeader]: cfg.csrf }, body: JSON.stringify(body || {}) });
      if (res.status === 401) { location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search); return null; }
      if (!res.ok) { hp.error(); return null; }
      return await res.json();
    } catch { hp.error(); return null; } finally { hp.busy(false); }
  },
  reload() { location.reload(); },
  async toggleProvisioning(on) {
    if (on) return hp.open('dlg-off');
    const r = await hp.api('/api/provisioning/draft');
    if (!r) return;
    $('prov-url').value = r.endpointUrl; $('prov-token').value = r.token;
    hp.open('dlg-provisioning');
  },
  async saveProvisioning() { if (await hp.api('/api/provisioning/save')) hp.reload(); },
  cancelProvisioning() { $('prov-token').value = ''; hp.close('dlg-provisioning'); void fetch('/api/provisioning/discard', { method: 'POST', headers: { 'content-type': 'application/json', [cfg.csrfHeader]: cfg.csrf }, body: '{}' }); },
  async turnOff() { if (await hp.api('/api/provisioning/off')) hp.reload(); },
  copy(id) { try { void navigator.clipboard.writeText($(id).value); } catch {} },
  async newToken() {
    const r = await hp.api('/api/tokens/new');
    if (!r) return;
    $('new-token').value = r.token;
    hp.open('dlg-new-token');
  },
  askDeleteToken(id) { hp.pending = id; hp.open('dlg-delete-token'); },
  async deleteToken() { if (await hp.api('/api/tokens/delete', { id: hp.pending })) hp.reload(); else hp.close('dlg-delete-token'); },
  roleChanged(select) {
    hp.pending = { select, id: select.dataset.person, old: select.dataset.current };
    const label = select.options[select.selectedIndex].text;
    $('dlg-role-text').textContent = 'Change ' + select.dataset.name + "'s role to " + label + '?';
    hp.open('dlg-role');
  },
  cancelRole() { const p = hp.pending; if (p) p.select.value = p.old; hp.close('dlg-role'); },
  async changeRole() {
    const p = hp.pending;
    const r = await hp.api('/api/people/role', { id: p.id, role: p.select.value });
    if (r) return hp.reload();
    p.select.value = p.old; hp.close('dlg-role');
  },
  askDeactivate(button) {
    hp.pending = button.dataset.person;
    $('dlg-deactivate-assign').hidden = button.dataset.owns !== 'true';
    hp.open('dlg-deactivate');
  },
  async deactivate() {
    const assignTo = $('dlg-deactivate-assign').hidden ? undefined : $('assign-to').value;
    if (await hp.api('/api/people/deactivate', { id: hp.pending, assignTo })) hp.reload(); else hp.close('dlg-deactivate');
  },
  askReactivate(button) { hp.pending = button.dataset.person; $('dlg-reactivate-h').textContent = 'Reactivate ' + button.dataset.name + '?'; hp.open('dlg-reactivate'); },
  async reactivate() { if (await hp.api('/api/people/reactivate', { id: hp.pending })) hp.reload(); else hp.close('dlg-reactivate'); },
  askDelete(button) {
    hp.pending = { id: button.dataset.person, email: button.dataset.email };
    $('confirm-email').value = ''; $('delete-permanently').disabled = true;
    hp.open('dlg-delete');
  },
  typed() {
    clearTimeout(hp.timer);
    const check = () => { $('delete-permanently').disabled = $('confirm-email').value.trim().toLowerCase() !== hp.pending.email.toLowerCase(); };
    if (cfg.debounce > 0) { $('delete-permanently').disabled = true; hp.timer = setTimeout(check, cfg.debounce); } else check();
  },
  async deletePerson() {
    if (await hp.api('/api/people/delete', { id: hp.pending.id, email: $('confirm-email').value.trim() })) hp.reload(); else hp.close('dlg-delete');
  },
  tab(name) {
    for (const t of document.querySelectorAll('[role=tab][data-panel]')) t.setAttribute('aria-selected', String(t.dataset.panel === name));
    for (const p of document.querySelectorAll('[role=tabpanel]')) p.hidden = p.dataset.panel !== name;
  },
};
`;

export function clientScript(view: PageView): string {
  if (!view.csrf) return '';
  const cfg = {
    csrfHeader: view.csrf.header, csrf: view.csrf.value, salt: view.salt,
    debounce: view.presentation.confirmDebounceMs, spinner: view.presentation.scripted,
  };
  return `<script>window.HP_CFG=${JSON.stringify(cfg).replace(/</g, '\\u003c')};${SCRIPT}</script>`;
}

/** The inline sign-in's Continue: the password step drawn in place, no page load. */
export const INLINE_SIGN_IN = String.raw`<script>
function hpContinue(event) {
  const email = document.querySelector('[name=email]');
  if (document.getElementById('hp-step2').hidden) {
    event.preventDefault();
    if (!email.value.trim()) return;
    document.getElementById('hp-step1').hidden = true;
    document.getElementById('hp-as').textContent = 'Signing in as ' + email.value.trim();
    document.getElementById('hp-step2').hidden = false;
    document.querySelector('[name=password]').disabled = false;
  }
}
</script>`;
