// Schedule: the engine's schedule (get_schedule); admins edit it (update_schedule). Saving makes
// the engine publish schedule_updated, and every open dashboard shows the change live.
import { api } from '../api.js';
import { h, replace, field, empty, pill, errorBox } from '../dom.js';
import { localTime, nyTime, num, PHASES, PHASE_LABEL } from '../fmt.js';
import { state, on, loadSchedule } from '../store.js';

/** The UTC offset (minutes) of a zone at an instant. */
function offsetMinutes(zone, date) {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(date);
    const tz = parts.find((p) => p.type === 'timeZoneName').value; // "GMT-04:00"
    const m = tz.match(/GMT([+-])(\d{2}):?(\d{2})?/);
    if (!m) return 0;
    return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0));
  } catch {
    return null;
  }
}

function zoneList() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

export function mount(root, _params, ctx) {
  const editable = ctx.isAdmin;
  const enabled = h('input', { type: 'checkbox', id: 'sched-enabled', name: 'enabled' });
  const time = h('input', { type: 'time', id: 'sched-time', name: 'trigger_time', required: true, step: '60' });
  const zone = h('input', { id: 'sched-zone', name: 'timezone', list: 'sched-zones', autocomplete: 'off', spellcheck: 'false', required: true });
  const zones = h('datalist', { id: 'sched-zones' }, zoneList().map((z) => h('option', { value: z })));
  const universesBox = h('div', { class: 'checks', id: 'sched-universes' });
  const marketCheck = h('input', { type: 'checkbox', id: 'sched-market', name: 'market_check' });
  const phaseBoxes = PHASES.map((p) => h('input', { type: 'checkbox', name: 'phase', value: p }));
  const save = editable ? h('button', { type: 'submit', class: 'btn btn-primary', id: 'sched-save', text: 'Save schedule' }) : null;
  const revert = editable ? h('button', { type: 'button', class: 'btn btn-ghost', id: 'sched-revert', text: 'Discard changes' }) : null;
  const msg = h('p', { class: 'form-msg', role: 'status', id: 'sched-msg', 'aria-live': 'polite' });
  const liveNote = h('p', { class: 'notice', id: 'sched-live', role: 'status', hidden: true });
  const preview = h('div', { id: 'sched-preview' });
  const status = h('div');
  let universeNames = null; // from list_universes, when the engine offers it
  let universeInputs = [];
  let current = null;
  let dirty = false;

  const form = h('form', { class: 'form form-grid', id: 'sched-form', novalidate: true },
    h('label', { class: 'check' }, enabled, 'Scheduled runs enabled'),
    field('Time', time, 'On a full trading day; moved earlier on early-close days.'),
    field('Time zone', zone), zones,
    h('fieldset', null, h('legend', { text: 'Universes' }), universesBox),
    h('label', { class: 'check' }, marketCheck, 'Market check (skip days the NYSE is closed)'),
    h('fieldset', { class: 'inline' }, h('legend', { text: 'Phases' }), PHASES.map((p, i) => h('label', { class: 'check' }, phaseBoxes[i], PHASE_LABEL[p]))),
    editable ? h('div', { class: 'form-actions' }, save, revert, msg) : h('p', { class: 'muted small', text: 'Only an admin can change the schedule.' }));
  if (!editable) for (const el of form.querySelectorAll('input')) el.disabled = true;

  function renderUniverses(selected) {
    const names = [...new Set([...(universeNames || []), ...selected])];
    universeInputs = names.map((n) => h('input', { type: 'checkbox', name: 'universe', value: n, checked: selected.includes(n), disabled: !editable }));
    replace(universesBox, names.length ? names.map((n, i) => h('label', { class: 'check' }, universeInputs[i], n)) : empty('No universes.'));
  }

  function fill(s) {
    current = s;
    enabled.checked = !!s.enabled;
    time.value = s.trigger_time || '';
    zone.value = s.timezone || '';
    marketCheck.checked = !!s.market_check;
    const phases = s.phases || [];
    phaseBoxes.forEach((b) => { b.checked = phases.includes(b.value) || phases.includes('all'); });
    renderUniverses(s.universes || []);
    form.dataset.triggerTime = s.trigger_time || '';
    form.dataset.timezone = s.timezone || '';
    form.dataset.enabled = String(!!s.enabled);
    dirty = false;
    renderPreview(s);
  }

  function fireRow(f, prevOffset, zoneName, i) {
    const utc = f.utc ? new Date(f.utc) : null;
    const off = utc && zoneName ? offsetMinutes(zoneName, utc) : null;
    const flags = [];
    // The engine's preview names the holidays passed over before this fire.
    for (const day of Array.isArray(f.skipped) ? f.skipped : []) {
      flags.push(pill('holiday', `after ${day.reason} (${day.date}, closed)`));
    }
    if (f.early_close) flags.push(pill('early_close', 'early close'));
    const dst = typeof f.dst_change === 'boolean' ? f.dst_change
      : prevOffset !== null && off !== null && off !== prevOffset;
    if (dst) flags.push(pill('dst', f.zone_abbrev ? `DST change (now ${f.zone_abbrev})` : 'DST change'));
    return {
      off,
      el: h('tr', { dataset: { index: String(i), utc: f.utc || '' } },
        h('td', { class: 'num', text: f.local ? f.local.replace('T', ' ').replace(/:00([+-]\d\d:\d\d)$/, ' (UTC$1)') : '—' }),
        h('td', { class: 'num', text: utc ? localTime(utc) : '—' }),
        h('td', { class: 'num', text: utc ? nyTime(utc) : '—' }),
        h('td', null, flags.length ? flags : h('span', { class: 'muted', text: 'regular' }))),
    };
  }

  function renderPreview(s) {
    if (!s.enabled) {
      replace(preview, empty('Scheduled runs are disabled: nothing will fire.'));
      return;
    }
    const fires = Array.isArray(s.preview) && s.preview.length ? s.preview : s.next_fire ? [s.next_fire] : [];
    if (!fires.length) {
      replace(preview, empty('The engine reports no upcoming fire time.'));
      return;
    }
    // DST: compare each fire's offset with the one before (the first with the offset now).
    let prev = offsetMinutes(s.timezone, new Date());
    const rows = [];
    fires.slice(0, 10).forEach((f, i) => {
      const r = fireRow(f, prev, s.timezone, i);
      prev = r.off;
      rows.push(r.el);
    });
    replace(preview,
      h('table', { class: 'table', id: 'sched-fires' },
        h('thead', null, h('tr', null, [`In ${s.timezone}`, 'Your local time', 'New York', ''].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', null, rows)),
      fires.length < 10 ? h('p', { class: 'muted small', text: `The engine reports ${num(fires.length)} upcoming fire time${fires.length === 1 ? '' : 's'}; holidays are skipped when they come (schedule_skipped).` }) : null);
  }

  form.addEventListener('input', () => { dirty = true; });
  form.addEventListener('change', () => { dirty = true; });
  if (revert) revert.addEventListener('click', () => { if (current) fill(current); liveNote.hidden = true; msg.textContent = ''; });

  if (editable) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {
        enabled: enabled.checked,
        trigger_time: time.value,
        timezone: zone.value.trim(),
        market_check: marketCheck.checked,
        universes: universeInputs.filter((i) => i.checked).map((i) => i.value),
        phases: phaseBoxes.filter((b) => b.checked).map((b) => b.value),
      };
      if (!/^\d{2}:\d{2}$/.test(body.trigger_time)) { msg.textContent = 'Enter a time as HH:MM.'; time.focus(); return; }
      if (!body.timezone) { msg.textContent = 'Enter a time zone.'; zone.focus(); return; }
      if (!body.universes.length) { msg.textContent = 'Choose at least one universe.'; return; }
      if (!body.phases.length) { msg.textContent = 'Choose at least one phase.'; return; }
      save.disabled = true;
      msg.textContent = 'Saving…';
      try {
        const s = await api.post('/api/processing/schedule', body);
        fill(s);
        state.schedule = s;
        msg.textContent = 'Saved.';
        liveNote.hidden = true;
      } catch (e) {
        msg.textContent = `${e.code ? `${e.code}: ` : ''}${e.message}`;
      } finally {
        save.disabled = false;
      }
    });
  }

  const off = on('schedule', ({ schedule, updatedBy, live }) => {
    if (!live) return;
    if (dirty) {
      liveNote.hidden = false;
      liveNote.textContent = `The schedule was changed${updatedBy ? ` by ${updatedBy}` : ''} while you were editing. Discard your changes to see it.`;
      current = schedule;
      return;
    }
    fill(schedule);
    liveNote.hidden = false;
    liveNote.textContent = `Schedule updated${updatedBy ? ` by ${updatedBy}` : ''} just now.`;
  });

  replace(root,
    h('div', { class: 'page-head' }, h('h1', { text: 'Schedule' })),
    status,
    h('div', { class: 'grid grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'sched-title' }, h('h2', { id: 'sched-title', text: 'Settings' }), liveNote, form),
      h('section', { class: 'card', 'aria-labelledby': 'fires-title' }, h('h2', { id: 'fires-title', text: 'Upcoming fire times' }), preview)));

  Promise.all([
    loadSchedule(),
    api.get('/api/universes').then((r) => { universeNames = (r.universes || []).map((u) => u.name); }).catch(() => {}),
  ]).then(([s]) => fill(s)).catch((e) => replace(status, errorBox(e)));

  return () => off();
}
