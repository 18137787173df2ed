// DOM helpers. Every element is built with createElement and every piece of data goes in through
// textContent or a property: nothing here parses HTML, so data can never become markup.

/**
 * h('a', {href: '/x', class: 'link', dataset: {run: id}, onclick: fn}, 'text', child, [more])
 * Attributes: class, text, dataset (object), style (object, applied through the CSSOM),
 * on<event> (function), aria-* / role / other strings (setAttribute), booleans (property).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key === 'style') Object.assign(el.style, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (value === true) {
        if (key in el) el[key] = true;
        else el.setAttribute(key, '');
      } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') el[key] = value;
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

/** A labelled form control: <label class="field"><span>text</span>control</label> */
export function field(labelText, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label', text: labelText }), control,
    hint ? h('span', { class: 'field-hint', text: hint }) : null);
}

export function select(name, options, value, attrs = {}) {
  const s = h('select', { name, ...attrs });
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    s.append(h('option', { value: v, text: label, selected: v === value }));
  }
  return s;
}

/** A status pill: class pill-<status>. */
export function pill(status, text) {
  return h('span', { class: ['pill', `pill-${String(status).replace(/[^a-z_]/gi, '')}`], text: text ?? String(status).replace(/_/g, ' ') });
}

/** An empty state: a single sentence that says what is true. */
export function empty(text) {
  return h('p', { class: 'empty', text });
}

export function errorBox(err) {
  const code = err && err.code ? `${err.code}: ` : '';
  return h('p', { class: 'error-box', role: 'alert', text: code + (err && err.message ? err.message : String(err)) });
}

/** Client-side navigation link. */
export function link(href, text, attrs = {}) {
  return h('a', { href, 'data-link': '', ...attrs }, text);
}
