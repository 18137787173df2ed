// Toasts: short notices in an aria-live region; new pattern detections are gathered into one
// toast per second or so, and can be muted (remembered in localStorage).
import { h, link } from './dom.js';
import { on } from './store.js';

const MUTE_KEY = 'tickstock.mutePatternToasts';
let box = null;

export function patternToastsMuted() {
  return localStorage.getItem(MUTE_KEY) === '1';
}

export function setPatternToastsMuted(muted) {
  localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
  document.dispatchEvent(new CustomEvent('tickstock:mute-changed', { detail: muted }));
}

export function toast(content, { kind = 'info', timeout = 7000, actions = [] } = {}) {
  if (!box) return null;
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss notification', text: '×' });
  const el = h('div', { class: ['toast', `toast-${kind}`] },
    h('div', { class: 'toast-body' }, content),
    actions.length ? h('div', { class: 'toast-actions' }, actions) : null,
    close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  box.append(el);
  while (box.children.length > 4) box.firstChild.remove();
  if (timeout) setTimeout(remove, timeout);
  return el;
}

export function initToasts(container) {
  box = container;
  let pending = [];
  let timer = null;
  const flush = () => {
    timer = null;
    const batch = pending;
    pending = [];
    if (!batch.length || patternToastsMuted()) return;
    const first = batch[0].p;
    const mute = h('button', { type: 'button', class: 'btn btn-small btn-ghost', text: 'Mute' });
    mute.addEventListener('click', () => {
      setPatternToastsMuted(true);
      mute.closest('.toast')?.remove();
      toast('Pattern alerts muted. Unmute them on the Patterns page.', { timeout: 4000 });
    });
    let body;
    if (batch.length === 1) {
      body = h('span', null, 'New pattern: ', link(`/symbol/${encodeURIComponent(first.symbol)}`, first.symbol), ` ${first.pattern} (${first.direction}, ${first.timeframe}) on ${first.bar_date}`);
    } else {
      const symbols = [...new Set(batch.map((b) => b.p.symbol))];
      const shown = symbols.slice(0, 5).join(', ');
      body = h('span', null, `${batch.length} new pattern detections on ${symbols.length} symbol${symbols.length === 1 ? '' : 's'}: ${shown}${symbols.length > 5 ? ', …' : ''} `,
        link('/patterns', 'View'));
    }
    toast(body, { kind: 'pattern', actions: [mute] });
  };
  on('event:patterns_detected', (entry) => {
    if (patternToastsMuted()) return;
    pending.push(entry);
    if (!timer) timer = setTimeout(flush, 1200);
  });
}
