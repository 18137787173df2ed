// The live connection: /ws with the session cookie. Remembers the stream id of the last event it
// saw (in sessionStorage, so a reload resumes too) and reconnects to /ws?last_id=<id> with
// exponential backoff, 0.5 s doubling to 10 s. The server answers with a snapshot instead when the
// id has been trimmed from the stream.
import { request } from './api.js';

const LAST_ID_KEY = 'tickstock.ws.lastId';
const MIN_DELAY = 500;
const MAX_DELAY = 10000;
const STABLE_MS = 5000;

/** Stream entry ids are "<ms>-<seq>": compare them as two numbers. */
export function streamIdGreater(a, b) {
  if (!b) return true;
  const [am, as] = String(a).split('-');
  const [bm, bs] = String(b).split('-');
  const d = BigInt(am || 0) - BigInt(bm || 0);
  if (d !== 0n) return d > 0n;
  return BigInt(as || 0) > BigInt(bs || 0);
}

export class LiveSocket {
  constructor({ onMessage, onState, onResync }) {
    this.onMessage = onMessage;
    this.onResync = onResync;
    this.onState = onState;
    this.delay = MIN_DELAY;
    this.ws = null;
    this.timer = null;
    this.pingTimer = null;
    this.stopped = false;
    this.state = 'idle';
    this.retryAt = null;
  }

  get lastId() {
    return sessionStorage.getItem(LAST_ID_KEY);
  }

  set lastId(id) {
    if (id) sessionStorage.setItem(LAST_ID_KEY, id);
  }

  setState(state, extra = {}) {
    this.state = state;
    this.onState({ state, ...extra });
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const last = this.lastId;
    const url = `${proto}//${location.host}/ws${last ? `?last_id=${encodeURIComponent(last)}` : ''}`;
    this.setState(this.everOpened ? 'reconnecting' : 'connecting');
    let opened = false;
    const ws = new WebSocket(url);
    this.ws = ws;
    const openedAt = { t: 0 };
    ws.addEventListener('open', () => {
      opened = true;
      openedAt.t = Date.now();
      this.everOpened = true;
      // The backoff starts over only once a connection has stayed up for a while.
      clearTimeout(this.stableTimer);
      this.stableTimer = setTimeout(() => { this.delay = MIN_DELAY; this.shortResumes = 0; }, STABLE_MS);
      this.setState('open');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), 20000);
    });
    ws.addEventListener('message', (ev) => {
      // A message holds one JSON object per line: the server batches frames for a client
      // that fell behind.
      for (const line of String(ev.data).split('\n')) {
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        // Progress frames are coalesced and may arrive after later events: resume from the
        // greatest stream id seen, not the last one.
        if (msg.type === 'event' && msg.id && streamIdGreater(msg.id, this.lastId)) this.lastId = msg.id;
        if (msg.type === 'snapshot' && msg.last_id) this.lastId = msg.last_id;
        this.onMessage(msg);
      }
    });
    ws.addEventListener('close', () => {
      clearInterval(this.pingTimer);
      clearTimeout(this.stableTimer);
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      // A resume that the server keeps dropping at once (for example a replay larger than its
      // send queue) would never succeed: after two of them, start afresh from a snapshot.
      if (opened && last && Date.now() - openedAt.t < STABLE_MS) {
        this.shortResumes = (this.shortResumes || 0) + 1;
        if (this.shortResumes >= 2) {
          sessionStorage.removeItem(LAST_ID_KEY);
          this.shortResumes = 0;
          this.onResync?.();
        }
      }
      if (!opened) {
        // The upgrade was refused or the server is down. A refused upgrade without a session
        // means the session has ended: /auth/me answers 401 and request() goes to /login.
        request('GET', '/auth/me').catch(() => {});
      }
      this.schedule();
    });
  }

  schedule() {
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    this.retryAt = Date.now() + delay;
    this.setState('waiting', { retryAt: this.retryAt });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnect now (the user pressed "Reconnect"). */
  retryNow() {
    if (this.ws) return;
    this.delay = MIN_DELAY;
    this.connect();
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    if (this.ws) this.ws.close();
  }
}
