// One line of text for any engine event, for the event log and the error feed.
import { num, duration, PHASE_LABEL, DOMAIN_PHASE } from './fmt.js';

export function describe(name, p) {
  const domain = name.slice(0, name.lastIndexOf('_'));
  const kind = name.slice(name.lastIndexOf('_') + 1);
  const phase = PHASE_LABEL[DOMAIN_PHASE[domain]] || domain;
  switch (true) {
    case name === 'processing_started':
      return `${p.universe ?? 'symbols'} · ${num(p.symbols_total)} symbols · ${(p.phases || []).join(', ')} · ${p.trigger_type ?? ''}${p.parent_run_id ? ' (retry)' : ''}`;
    case domain === 'processing':
      return `${String(p.status).replace(/_/g, ' ')} · ${num(p.symbols_processed)} processed, ${num(p.symbols_failed)} failed · ${duration(p.duration_seconds)}${p.error ? ` · ${p.error}` : ''}`;
    case kind === 'started' && !!DOMAIN_PHASE[domain]:
      return `${phase} started · ${num(p.total_symbols)} symbols`;
    case kind === 'progress':
      return `${phase} ${num(p.completed_symbols)}/${num(p.total_symbols)}${p.failed_symbols ? `, ${num(p.failed_symbols)} failed` : ''}${p.current_symbol ? ` · ${p.current_symbol}` : ''}`;
    case kind === 'completed' && !!DOMAIN_PHASE[domain]:
      return `${phase} ${String(p.status).replace(/_/g, ' ')} · ${num(p.successful_symbols)}/${num(p.total_symbols)} ok, ${num(p.failed_symbols)} failed · ${duration(p.duration_seconds)}`;
    case name === 'patterns_detected':
      return `${p.symbol} ${p.pattern} (${p.direction}, ${p.timeframe}) on ${p.bar_date}`;
    case name === 'indicators_calculated':
      return `${p.symbol} ${p.indicator} (${p.timeframe}) as of ${p.as_of}`;
    case name === 'error':
      return `${p.error_code}: ${p.message}`;
    case name === 'schedule_updated':
      return `${p.enabled ? 'enabled' : 'disabled'} · ${p.trigger_time} ${p.timezone} · ${(p.universes || []).join(', ')}${p.updated_by ? ` · by ${p.updated_by}` : ''}`;
    case name === 'schedule_skipped':
      return `skipped (${String(p.reason).replace(/_/g, ' ')})${p.detail ? `: ${p.detail}` : ''}`;
    case name === 'resync':
      return p.message;
    case name === 'heartbeat':
      return `${p.state}`;
    default:
      return '';
  }
}
