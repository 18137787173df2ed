// Formatting: local times with New York time on hover, numbers, durations.
import { h } from './dom.js';

export const NY = 'America/New_York';
const nf = new Intl.NumberFormat(undefined);
const nf2 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const localFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const localShort = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const nyFmt = new Intl.DateTimeFormat(undefined, {
  timeZone: NY, year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit',
  second: '2-digit', timeZoneName: 'short',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function parseTime(t) {
  if (!t) return null;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function localTime(t, short = false) {
  const d = parseTime(t);
  return d ? (short ? localShort : localFmt).format(d) : '—';
}

export function nyTime(t) {
  const d = parseTime(t);
  return d ? nyFmt.format(d) : '';
}

export function clock(t) {
  const d = parseTime(t);
  return d ? timeOnly.format(d) : '—';
}

/** <time> showing local time, with New York time in its title tooltip. */
export function timeEl(t, { short = false, clockOnly = false } = {}) {
  const d = parseTime(t);
  if (!d) return h('span', { class: 'muted', text: '—' });
  return h('time', {
    datetime: d.toISOString(),
    title: `New York: ${nyTime(d)}`,
    text: clockOnly ? clock(d) : localTime(d, short),
  });
}

export function num(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : nf.format(n);
}

export function num2(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : nf2.format(n);
}

export function price(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number(n).toFixed(Math.abs(n) >= 1000 ? 2 : Math.abs(n) >= 1 ? 2 : 4);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Number(seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${whole - m * 60} s`;
  const hr = Math.floor(m / 60);
  return `${hr} h ${m - hr * 60} min`;
}

export function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  return `${duration(seconds)} ago`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

export const PHASES = ['import', 'cache_sync', 'indicators', 'patterns'];
export const PHASE_LABEL = { import: 'Import', cache_sync: 'Cache sync', indicators: 'Indicators', patterns: 'Patterns' };
/** The record count each phase reports. */
export const PHASE_COUNT = {
  import: ['records_imported', 'records'],
  cache_sync: ['bars_resampled', 'bars'],
  indicators: ['indicators_calculated', 'values'],
  patterns: ['patterns_detected', 'detections'],
};
/** Event-name domain of a phase (the cache_sync phase's events are cache_*). */
export const PHASE_DOMAIN = { import: 'import', cache_sync: 'cache', indicators: 'indicators', patterns: 'patterns' };
export const DOMAIN_PHASE = { import: 'import', cache: 'cache_sync', indicators: 'indicators', patterns: 'patterns' };

export const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'interrupted'];

/** "2024-01-02" as a Date at UTC midnight (bar dates). */
export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}
