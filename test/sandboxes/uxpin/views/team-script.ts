/**
 * The team screen's browser script (plain JS, sent inline). Each write is one fetch POST, so the
 * failure knob applies to exactly one request. Success messages are not cleared before the next
 * action: like the real app's toasts they can linger, which the connector must not trust.
 * The list is redrawn from GET /team/list: after writes, for the script-drawn list, and for the
 * live (debounced) search, which leaves the old rows on screen until the answer is in.
 */
export const TEAM_SCRIPT = String.raw`
(() => {
  // randomIds: every id carries the page's suffix.
  const SFX = document.documentElement.dataset.sfx || '';
  const $ = (id) => document.getElementById(id + SFX);
  const list = $('team-list');
  const addDialog = $('add-dialog');
  const removeDialog = $('remove-dialog');
  let removing = null;

  function revealList() {
    const template = list.querySelector('template');
    if (template) list.innerHTML = template.innerHTML;
  }
  if (list.dataset.slow) setTimeout(revealList, Number(list.dataset.slow));
  if (list.dataset.fetch) setTimeout(refreshList, 0);

  const search = $('search');
  const delay = Number(search.dataset.debounce || 0);
  let pending = null;
  function liveSearch() {
    clearTimeout(pending);
    pending = setTimeout(() => {
      history.replaceState(null, '', '/team?q=' + encodeURIComponent(search.value));
      refreshList();
    }, delay);
  }
  if (delay > 0) {
    search.addEventListener('input', liveSearch);
    search.form.addEventListener('submit', (event) => { event.preventDefault(); liveSearch(); });
  }

  function say(message) { $('flash').textContent = message; }
  function showError(el, message) { el.textContent = message || ''; el.hidden = !message; }

  async function post(url, body) {
    let res;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch {
      return { ok: false, error: 'Network error. Please try again.' };
    }
    if (res.status === 401) { location.href = '/login'; return null; }
    const data = await res.json().catch(() => ({}));
    return { ok: res.ok, error: data.error || 'Something went wrong. Please try again.' };
  }

  async function refreshList() {
    const res = await fetch('/team/list' + location.search);
    if (res.status === 401) { location.href = '/login'; return; }
    if (res.ok) list.innerHTML = await res.text();
  }

  function open(dialog) { dialog.hidden = false; const f = dialog.querySelector('input:not([hidden]), button[data-confirm-remove]'); if (f) f.focus(); }
  function close(dialog) { dialog.hidden = true; }
  function closeMenus() {
    document.querySelectorAll('[role=menu]').forEach((m) => { m.hidden = true; });
    document.querySelectorAll('[data-menu]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
  }

  function setMulti(multi) {
    addDialog.querySelector('[data-single]').hidden = multi;
    addDialog.querySelector('[data-multi]').hidden = !multi;
    addDialog.querySelector('[data-toggle-multi]').textContent = multi ? 'add a single user' : 'add multiple users at once';
  }

  document.addEventListener('click', (event) => {
    if (!event.target.closest('[data-menu], [role=menu]')) closeMenus();
    const target = event.target.closest('button, a, [role=menuitem]');
    if (!target) return;
    if (target.matches('[data-open-add]')) {
      $('add-form').reset(); setMulti(false); showError($('add-error'), ''); open(addDialog);
    } else if (target.matches('[data-toggle-multi]')) {
      event.preventDefault(); setMulti(addDialog.querySelector('[data-multi]').hidden);
    } else if (target.matches('[data-close]')) {
      close(target.closest('[role=dialog]'));
    } else if (target.matches('[data-menu]')) {
      const menu = target.nextElementSibling; const wasOpen = !menu.hidden;
      closeMenus(); menu.hidden = wasOpen; target.setAttribute('aria-expanded', String(!wasOpen));
    } else if (target.matches('[data-remove]')) {
      removing = target.dataset.remove; closeMenus();
      $('remove-title').textContent = 'Remove ' + removing + ' from the team?';
      showError($('remove-error'), ''); open(removeDialog);
    } else if (target.matches('[data-confirm-remove]')) {
      confirmRemove();
    }
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    closeMenus(); close(addDialog); close(removeDialog);
  });

  async function confirmRemove() {
    const r = await post('/team/members/remove', { email: removing });
    if (!r) return;
    if (!r.ok) return showError($('remove-error'), r.error);
    close(removeDialog); say('User removed'); await refreshList();
  }

  $('add-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const multi = !addDialog.querySelector('[data-multi]').hidden;
    const raw = multi ? $('add-emails').value : $('add-email').value;
    const emails = raw.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean);
    showError($('add-error'), '');
    const r = await post('/team/invite', { emails, role: $('add-role').value });
    if (!r) return;
    if (!r.ok) return showError($('add-error'), r.error);
    close(addDialog); say('Invitation sent'); await refreshList();
  });

  document.addEventListener('change', async (event) => {
    const select = event.target.closest('select[data-email]');
    if (!select) return;
    showError($('page-error'), '');
    const r = await post('/team/members/role', { email: select.dataset.email, role: select.value });
    if (!r) return;
    if (!r.ok) { select.value = select.dataset.saved; return showError($('page-error'), r.error); }
    select.dataset.saved = select.value; say('Role updated');
  });
})();
`;
