// Vigil console: progressive enhancement only; every page works without this script.
// Live updates: a page marks its live region with data-live="sessions", "reviews" or "timeline". The server-sent event
// stream (/events) says only which kind of thing changed; the page then reloads its own URL and swaps the region, so
// what it shows always passes the server's visibility checks. A list marked data-live-append (a session's timeline)
// is not swapped: the items it does not have yet are appended, so the reader and the replay player keep their place.
'use strict';
(function () {
  const region = document.querySelector('[data-live]');
  const appended = document.querySelector('[data-live-append]');
  if ((!region && !appended) || !window.EventSource || !window.fetch) {
    return;
  }
  const topics = new Set([...(region ? region.dataset.live.split(/\s+/) : []), ...(appended ? appended.dataset.liveAppend.split(/\s+/) : [])]);
  let timer = null;

  function busy() {
    // Never replace a form the user is filling in (a review's reason, for example).
    const active = document.activeElement;
    return region && active && region.contains(active) && active.matches('input, textarea, select') && active.value !== '';
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
    const fresh = region && page.getElementById(region.id);
    if (fresh) {
      region.replaceChildren(...Array.from(fresh.childNodes, node => document.importNode(node, true)));
      for (const status of region.querySelectorAll('.live-status')) {
        status.textContent = 'Updated ' + new Date().toLocaleTimeString();
      }
    }
    const more = appended && page.getElementById(appended.id);
    if (more) {
      const added = Array.from(more.children).filter(item => !item.id || !document.getElementById(item.id));
      if (added.length > 0) {
        appended.append(...added.map(item => document.importNode(item, true)));
        appended.dispatchEvent(new CustomEvent('vigil:appended', { detail: added.length }));
      }
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

// Replay player on a session's timeline: steps through the statements of the page at their recorded pace (gaps
// longer than MAX_GAP_MS are shortened to it), faster on request, with pause, step and seek; at the end of a page it
// continues on the next one. Statements after the position are dimmed, the current one is outlined and scrolled to.
(function () {
  const player = document.querySelector('.player');
  const list = document.querySelector('.events');
  let events = Array.from(document.querySelectorAll('.events > li.event'));
  if (!player || events.length === 0) {
    return;
  }
  const MAX_GAP_MS = 5000;
  const play = player.querySelector('[data-action="play"]');
  const speed = player.querySelector('[data-action="speed"]');
  const range = player.querySelector('input[type="range"]');
  const status = player.querySelector('.player-status');
  let times = events.map(e => Date.parse(e.dataset.at));
  let position = events.length - 1; // all shown until the player is used
  let timer = null;

  function show(index, scroll) {
    position = Math.max(0, Math.min(events.length - 1, index));
    events.forEach((e, i) => {
      e.classList.toggle('future', i > position);
      e.classList.toggle('current', i === position);
    });
    range.value = String(position + 1);
    status.textContent = `Statement ${events[position].querySelector('.seq').textContent} (${position + 1} of ${events.length} on this page)`;
    if (scroll) {
      events[position].scrollIntoView({ block: 'nearest' });
    }
  }

  function pause() {
    window.clearTimeout(timer);
    timer = null;
    play.textContent = 'Play';
    player.classList.remove('playing');
  }

  function tick() {
    if (position >= events.length - 1) {
      if (player.dataset.next) {
        window.location.assign(player.dataset.next + '&play=' + speed.value);
      } else {
        pause();
      }
      return;
    }
    const gap = Math.min(MAX_GAP_MS, Math.max(0, (times[position + 1] - times[position]) || 0));
    timer = window.setTimeout(() => {
      show(position + 1, true);
      tick();
    }, gap / Number(speed.value));
  }

  function start() {
    if (position >= events.length - 1) {
      show(0, true);
    }
    play.textContent = 'Pause';
    player.classList.add('playing');
    tick();
  }

  play.addEventListener('click', () => (timer === null ? start() : pause()));
  player.querySelector('[data-action="step"]').addEventListener('click', () => { pause(); show(position + 1, true); });
  player.querySelector('[data-action="step-back"]').addEventListener('click', () => { pause(); show(position - 1, true); });
  range.addEventListener('input', () => { pause(); show(Number(range.value) - 1, true); });
  speed.addEventListener('change', () => { if (timer !== null) { pause(); start(); } });
  // Live statements (see above) join the player: a paused player that showed everything keeps showing everything.
  list.addEventListener('vigil:appended', () => {
    const atEnd = position >= events.length - 1;
    events = Array.from(list.querySelectorAll(':scope > li.event'));
    times = events.map(e => Date.parse(e.dataset.at));
    range.max = String(events.length);
    if (atEnd && timer === null) {
      show(events.length - 1, false);
    }
  });
  player.hidden = false;

  const resume = new URLSearchParams(window.location.search).get('play');
  if (resume) {
    speed.value = resume;
    show(0, true);
    start();
  }
})();
