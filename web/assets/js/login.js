// The sign-in page: POST /auth/login, then on to the page the user asked for.
const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

/** Only same-site paths are followed after sign-in (no //host, no scheme). */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = false;
}

// Already signed in? Go straight on.
fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' })
  .then((r) => { if (r.ok) location.replace(nextPath()); })
  .catch(() => {});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError('Enter your username and password.');
    return;
  }
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    const res = await fetch('/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.ok) {
      location.replace(nextPath());
      return;
    }
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    const err = (body && body.error) || {};
    if (res.status === 401) showError('Wrong username or password.');
    else if (res.status === 429) {
      const after = res.headers.get('Retry-After');
      const what = err.code === 'ACCOUNT_LOCKED' ? 'This account is locked for now after repeated failures.' : 'Too many sign-in attempts.';
      showError(after ? `${what} Try again in ${after} s.` : `${what} Try again later.`);
    } else showError(err.message || `Sign-in failed (HTTP ${res.status}).`);
    form.password.value = '';
    form.password.focus();
  } catch (e) {
    showError(`The dashboard server could not be reached (${e.message}).`);
  } finally {
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }
});
