// Small progressive enhancements; every page works without them.
(() => {
  'use strict';
  document.addEventListener('submit', (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener('click', (event) => {
    const copy = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (copy) {
      const source = document.getElementById(copy.getAttribute('data-copy') || '');
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent || '').then(() => { copy.textContent = 'Copied'; });
      }
      return;
    }
    const link = event.target instanceof Element ? event.target.closest('a[data-lightbox]') : null;
    const dialog = document.getElementById('lightbox');
    if (!link || !(dialog instanceof HTMLDialogElement) || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const img = dialog.querySelector('img');
    const alt = (link.querySelector('img') || {}).alt || 'Screenshot';
    img.src = link.getAttribute('href');
    img.alt = alt;
    dialog.querySelector('.caption').textContent = alt.replace(/^Screenshot /, '');
    dialog.querySelector('[data-original]').setAttribute('href', link.getAttribute('href'));
    dialog.showModal();
    dialog.addEventListener('close', () => link.focus(), { once: true });
  });

  document.addEventListener('click', (event) => {
    // A click on the backdrop (the dialog itself, outside the image) closes it.
    if (event.target instanceof HTMLDialogElement && event.target.open) event.target.close();
  });

  // Users page: the import's progress line follows the server's count without a reload.
  const progress = document.querySelector('[data-progress-url]');
  if (progress) {
    const url = progress.getAttribute('data-progress-url');
    const poll = () => {
      if (document.hidden) return;
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then((res) => (res.ok ? res.json() : undefined))
        .then((body) => {
          if (!body || typeof body.text !== 'string') return;
          const text = progress.querySelector('[role="status"]');
          if (text && text.textContent !== body.text) text.textContent = body.text;
          const bar = progress.querySelector('progress');
          if (bar) { bar.max = Math.max(body.total, 1); bar.value = body.inSync; }
        })
        .catch(() => undefined);
    };
    window.setInterval(poll, 2000);
  }
})();
