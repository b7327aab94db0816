// Vigil console: progressive enhancement only; every page works without this script.
// Live updates: a page marks its live region with data-live="sessions" or "reviews". The server-sent event stream
// (/events) says only which kind of thing changed; the page then reloads its own URL and swaps the region, so what it
// shows always passes the server's visibility checks.
'use strict';
(function () {
  const region = document.querySelector('[data-live]');
  if (!region || !window.EventSource || !window.fetch) {
    return;
  }
  const topics = region.dataset.live.split(/\s+/);
  let timer = null;

  function busy() {
    // Never replace a form the user is filling in (a review's reason, for example).
    const active = document.activeElement;
    return active && region.contains(active) && active.matches('input, textarea, select') && active.value !== '';
  }

  async function refresh() {
    timer = null;
    if (busy()) {
      schedule(2000);
      return;
    }
    let response;
    try {
      response = await fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    } catch {
      return;
    }
    if (!response.ok || response.redirected) {
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById(region.id);
    if (!fresh) {
      return;
    }
    region.replaceChildren(...Array.from(fresh.childNodes, node => document.importNode(node, true)));
    for (const status of region.querySelectorAll('.live-status')) {
      status.textContent = 'Updated ' + new Date().toLocaleTimeString();
    }
  }

  function schedule(delay) {
    if (timer === null) {
      timer = window.setTimeout(refresh, delay);
    }
  }

  const source = new EventSource('/events');
  for (const topic of topics) {
    source.addEventListener(topic, () => schedule(100));
  }
  source.addEventListener('open', () => document.documentElement.classList.add('live'));
  source.addEventListener('error', () => document.documentElement.classList.remove('live'));
})();
