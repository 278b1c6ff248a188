/**
 * The Users page's script (hex.md, Settings → Users): loads the list after "Loading users…",
 * applies search after a debounce (old rows stay till then), draws the role control, the seat
 * confirmation, the row menu and the page's messages. Plain browser JS in a string, configured by
 * a JSON object the page embeds; the server (users-routes.ts) enforces the same rules.
 */
export const USERS_SCRIPT = String.raw`
(function () {
  var cfg = JSON.parse(document.getElementById(CONFIG_ID).textContent);
  var P = cfg.presentation, q = '', pageNo = 1, timer = null, hideTimer = null, seq = 0;
  var root = document.getElementById(cfg.ids.list), msgs = document.getElementById(cfg.ids.messages);
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function rid(name) { return P.randomIds ? name.slice(0, 1) + '-' + Math.random().toString(16).slice(2, 10) : name; }
  function say(text, isError) {
    msgs.replaceChildren(el('div', { role: isError ? 'alert' : 'status' }, text));
    if (hideTimer) clearTimeout(hideTimer);
    if (!P.lingeringToast) hideTimer = setTimeout(function () { msgs.replaceChildren(); }, 1500);
  }
  function api(method, url, body) {
    var headers = { 'x-requested-with': 'fetch' };
    if (body) headers['content-type'] = 'application/json';
    return fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (res) {
        if (res.status === 401) { location.href = '/login?next=' + encodeURIComponent(location.pathname); throw new Error('signed out'); }
        return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
      });
  }
  function loading(on) {
    var old = document.getElementById(cfg.ids.loading);
    if (old) old.remove();
    if (!on) return;
    var node = P.loading === 'spinner'
      ? el('div', { role: 'progressbar', 'aria-label': 'Loading users…', id: cfg.ids.loading, style: 'width:20px;height:20px;border:3px solid #ccc;border-top-color:#333;border-radius:50%' })
      : el('p', { role: 'status', id: cfg.ids.loading }, 'Loading users…');
    root.parentNode.insertBefore(node, root);
  }
  function load() {
    var mine = ++seq;
    loading(true);
    return api('GET', '/settings/users/data?q=' + encodeURIComponent(q) + '&page=' + pageNo).then(function (r) {
      if (mine !== seq) return;
      loading(false);
      draw(r.data);
    });
  }
  function cell(text, header) {
    if (P.usersView === 'grid') return el('div', { role: header ? 'columnheader' : 'gridcell' }, text);
    return el(header ? 'th' : 'td', {}, text);
  }
  function row(cells) {
    var r = P.usersView === 'grid' ? el('div', { role: 'row' }) : el('tr');
    cells.forEach(function (c) { r.appendChild(c); });
    return r;
  }
  function roleControl(user) {
    var name = 'Role for ' + user.email, locked = user.self || user.status === 'Deactivated';
    var wrap = el('span');
    if (P.roleControl === 'select') {
      var s = el('select', { 'aria-label': name });
      if (locked) { s.disabled = true; s.setAttribute('aria-disabled', 'true'); }
      cfg.roles.forEach(function (r) { var o = el('option', { value: r }, r); if (r === user.role) o.selected = true; s.appendChild(o); });
      s.addEventListener('change', function () { var to = s.value; s.value = user.role; change(user, to); });
      wrap.appendChild(s);
      return wrap;
    }
    var listId = rid('roles'), b = el('button', { type: 'button', role: 'combobox', 'aria-label': name, 'aria-haspopup': 'listbox', 'aria-expanded': 'false', 'aria-controls': listId }, user.role);
    if (locked) b.setAttribute('aria-disabled', 'true');
    var list = el('ul', { role: 'listbox', id: listId, 'aria-label': 'Roles' });
    list.hidden = true;
    cfg.roles.forEach(function (r) {
      var o = el('li', { role: 'option', 'aria-selected': String(r === user.role), tabindex: '-1' }, r);
      o.addEventListener('click', function () { list.hidden = true; b.setAttribute('aria-expanded', 'false'); if (r !== user.role) change(user, r); });
      list.appendChild(o);
    });
    b.addEventListener('click', function () {
      if (b.getAttribute('aria-disabled') === 'true') return;
      list.hidden = !list.hidden; b.setAttribute('aria-expanded', String(!list.hidden));
    });
    wrap.appendChild(b); wrap.appendChild(list);
    return wrap;
  }
  function dialog(title, nodes, buttons) {
    var id = rid('dlg'), d = el('dialog', { 'aria-labelledby': id + '-h' });
    if (P.confirmDialog === 'alertdialog') d.setAttribute('role', 'alertdialog');
    d.appendChild(el('h2', { id: id + '-h' }, title));
    nodes.forEach(function (n) { d.appendChild(n); });
    buttons.forEach(function (spec) {
      var b = el('button', { type: 'button' }, spec[0]);
      b.addEventListener('click', function () { d.close(); d.remove(); spec[1](); });
      d.appendChild(b);
    });
    document.body.appendChild(d);
    d.showModal();
  }
  function change(user, to) {
    var paid = cfg.freeRoles.indexOf(to) < 0, wasFree = cfg.freeRoles.indexOf(user.role) >= 0;
    if (cfg.seatConfirmation && wasFree && paid) {
      dialog('Change role to ' + to + '?', [el('p', {}, user.email + ' will use a paid seat.')],
        [[P.confirmDialog === 'alertdialog' ? 'Confirm' : 'Change role', function () { save(user, to, true); }], ['Cancel', function () {}]]);
    } else save(user, to, false);
  }
  function save(user, to, seatConfirmed) {
    return api('POST', '/settings/users/' + user.id + '/role', { role: to, seatConfirmed: seatConfirmed }).then(function (r) {
      if (!r.ok) { say(cfg.messages.roleFailed, true); return load(); }
      say(P.roleSaved === 'Role changed' ? 'Role changed to ' + r.data.role : P.roleSaved, false);
      return load();
    });
  }
  function rowMenu(user) {
    var wrap = el('span'), menuId = rid('menu');
    var b = el('button', { type: 'button', 'aria-label': 'More actions for ' + user.email, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId }, '⋯');
    var menu = el('div', { role: 'menu', id: menuId });
    menu.hidden = true;
    if (user.self) b.setAttribute('aria-disabled', 'true');
    var deactivated = user.status === 'Deactivated', item = el('button', { type: 'button', role: 'menuitem' }, deactivated ? 'Reactivate' : 'Deactivate');
    item.addEventListener('click', function () {
      menu.hidden = true;
      if (deactivated) return api('POST', '/settings/users/' + user.id + '/reactivate').then(function (r) { say(r.ok ? 'User reactivated' : cfg.messages.failed, !r.ok); load(); });
      var sel = el('select', { id: rid('transfer') }), label = el('label', { for: sel.id }, 'Transfer projects to');
      sel.appendChild(el('option', { value: '' }, cfg.me));
      dialog('Deactivate ' + user.name + '?', [label, sel], [['Deactivate', function () {
        api('POST', '/settings/users/' + user.id + '/deactivate').then(function (r) { say(r.ok ? 'User deactivated' : cfg.messages.failed, !r.ok); load(); });
      }], ['Cancel', function () {}]]);
    });
    menu.appendChild(item);
    b.addEventListener('click', function () { if (user.self) return; menu.hidden = !menu.hidden; b.setAttribute('aria-expanded', String(!menu.hidden)); });
    wrap.appendChild(b); wrap.appendChild(menu);
    return wrap;
  }
  function nameCell(user) {
    var c = cell(user.name);
    if (user.badge) c.appendChild(el('span', {}, ' Directory sync'));
    return c;
  }
  function draw(data) {
    var grid = P.usersView === 'grid';
    var head = row(['Name', 'Email', 'Role', 'Status', 'Actions'].map(function (h) { return cell(h, true); }));
    var body = data.users.map(function (u) {
      var role = cell(''), actions = cell('');
      role.appendChild(roleControl(u)); actions.appendChild(rowMenu(u));
      return row([nameCell(u), cell(u.email), role, cell(u.status), actions]);
    });
    var emptyText = 'No users match “' + q + '”';
    if (data.users.length === 0 && P.emptyState === 'row') {
      var c = cell(emptyText);
      if (!grid) c.setAttribute('colspan', '5');
      body.push(row([c]));
    }
    var table;
    if (grid) {
      table = el('div', { role: 'grid', 'aria-label': 'Users' });
      var hg = el('div', { role: 'rowgroup' }), bg = el('div', { role: 'rowgroup' });
      hg.appendChild(head); body.forEach(function (r) { bg.appendChild(r); });
      table.appendChild(hg); table.appendChild(bg);
    } else {
      table = el('table', { 'aria-label': 'Users' });
      var th = el('thead'), tb = el('tbody');
      th.appendChild(head); body.forEach(function (r) { tb.appendChild(r); });
      table.appendChild(th); table.appendChild(tb);
    }
    var nodes = [table];
    if (data.users.length === 0 && P.emptyState === 'text') nodes.push(el('p', {}, emptyText));
    var pager = el('div', {}), prev = el('button', { type: 'button' }, 'Previous'), next = el('button', { type: 'button' }, 'Next');
    prev.disabled = data.page <= 1; next.disabled = data.page >= data.pages;
    prev.addEventListener('click', function () { pageNo = data.page - 1; load(); });
    next.addEventListener('click', function () { pageNo = data.page + 1; load(); });
    pager.appendChild(prev); pager.appendChild(el('span', {}, ' Page ' + data.page + ' of ' + data.pages + ' ')); pager.appendChild(next);
    nodes.push(pager);
    root.replaceChildren.apply(root, nodes);
  }
  document.getElementById(cfg.ids.search).addEventListener('input', function (e) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { q = e.target.value.trim(); pageNo = 1; load(); }, P.searchDebounceMs);
  });
  document.getElementById(cfg.ids.add).addEventListener('click', function () {
    var input = el('input', { id: rid('emails') }), roleSel = el('select', { id: rid('new-role') });
    cfg.roles.forEach(function (r) { roleSel.appendChild(el('option', { value: r }, r)); });
    roleSel.value = 'Viewer';
    dialog('Add users', [el('label', { for: input.id }, 'Emails'), input, el('label', { for: roleSel.id }, 'Role'), roleSel], [['Add users', function () {
      api('POST', '/settings/users/invite', { emails: input.value, role: roleSel.value }).then(function (r) { say(r.ok ? 'Invitations sent' : (r.data.message || cfg.messages.failed), !r.ok); load(); });
    }], ['Cancel', function () {}]]);
  });
  load();
})();
`;
