// Terminal player on a session page: replays the session's terminal recording (asciicast v2 from
// GET /api/sessions/{id}/terminal) in xterm.js (vendored: xterm.js, xterm.css; see xterm.NOTICE.txt). Output ("o") is
// written to the terminal, resizes ("r") resize it, input ("i") is not drawn (the terminal's echo shows what was typed).
// Play at the recorded pace (idle gaps longer than MAX_GAP_S shortened to it) or faster, pause, and seek with the
// position slider; a session with several terminal streams offers a choice. It opens at the end of the recording,
// so the whole session is visible at once. The player's state is in data-state (loading, ready, playing, ended, error)
// and data-applied (events drawn / events).
'use strict';
(function () {
  const player = document.querySelector('.terminal-player');
  if (!player || !window.fetch || typeof window.Terminal !== 'function') {
    return;
  }
  const MAX_GAP_S = 2;
  const screen = player.querySelector('.terminal-screen');
  const play = player.querySelector('[data-action="play"]');
  const speed = player.querySelector('[data-action="speed"]');
  const range = player.querySelector('input[type="range"]');
  const clock = player.querySelector('.terminal-time');
  const choice = player.querySelector('[data-action="stream"]');
  const status = player.querySelector('.terminal-status');
  let term = null;
  let header = null;
  let events = []; // [virtual seconds, code, data]
  let duration = 0;
  let position = 0; // virtual seconds shown
  let next = 0; // index of the first event not yet applied
  let timer = null;
  let started = 0;
  let startedAt = 0;

  // xterm.js puts its sizes and colours in <style> elements, which the console's CSP (style-src 'self') does not
  // apply: mirror each into a constructed stylesheet, which the page may adopt, and follow its changes.
  const mirrored = new Map();
  function mirror(root) {
    if (!document.adoptedStyleSheets || !window.CSSStyleSheet) {
      return;
    }
    for (const element of root.querySelectorAll('style')) {
      if (!mirrored.has(element)) {
        const sheet = new CSSStyleSheet();
        mirrored.set(element, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        new MutationObserver(() => sheet.replaceSync(element.textContent || '')).observe(element, { childList: true, characterData: true, subtree: true });
        sheet.replaceSync(element.textContent || '');
      }
    }
  }

  function format(seconds) {
    const s = Math.floor(seconds);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  function show() {
    range.value = String(Math.round(position * 1000));
    clock.textContent = `${format(position)} / ${format(duration)}`;
    player.dataset.applied = `${next}/${events.length}`;
  }

  // Everything goes through xterm's write queue, in order: its reset() and resize() act at once, on a screen that
  // may still have writes pending.
  function resize(width, height) {
    term.write('', () => term.resize(width, height));
  }

  function apply(event) {
    if (event[1] === 'o') {
      term.write(event[2]);
    } else if (event[1] === 'r') {
      const size = /^(\d+)x(\d+)$/.exec(event[2]);
      if (size) {
        resize(Number(size[1]), Number(size[2]));
      }
    }
  }

  // Back to the start of the recording: a new terminal of the recorded size (xterm's reset() acts at once while
  // earlier writes may still be queued; a new terminal has none).
  function restart() {
    if (term) {
      term.dispose();
      const old = new Set(mirrored.values());
      mirrored.clear();
      if (document.adoptedStyleSheets) {
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter(s => !old.has(s));
      }
    }
    screen.replaceChildren();
    term = new window.Terminal({
      cols: header ? header.width : 80, rows: header ? header.height : 24, disableStdin: true, cursorBlink: false, scrollback: 10000, convertEol: false,
    });
    term.open(screen);
    mirror(screen);
    next = 0;
  }

  // Shows the terminal as it was at virtual time t (replaying from the start when going back).
  function seek(t) {
    t = Math.max(0, Math.min(duration, t));
    if (t < position) {
      restart();
    }
    while (next < events.length && events[next][0] <= t) {
      apply(events[next++]);
    }
    position = t;
    show();
  }

  function pause(state) {
    window.clearTimeout(timer);
    timer = null;
    play.textContent = 'Play';
    player.dataset.state = state || 'ready';
  }

  function tick() {
    const t = started + (performance.now() - startedAt) / 1000 * Number(speed.value);
    seek(t);
    if (position >= duration) {
      pause('ended');
      return;
    }
    const until = next < events.length ? (events[next][0] - position) / Number(speed.value) * 1000 : 0;
    timer = window.setTimeout(tick, Math.max(10, Math.min(until, 250)));
  }

  function start() {
    if (position >= duration) {
      seek(0);
    }
    started = position;
    startedAt = performance.now();
    // xterm.js draws only while the terminal is on screen.
    screen.scrollIntoView({ block: 'nearest' });
    play.textContent = 'Pause';
    player.dataset.state = 'playing';
    tick();
  }

  async function load(index) {
    pause('loading');
    status.textContent = 'Loading the recording…';
    let text;
    try {
      const response = await fetch(`${player.dataset.cast}?index=${index}`, { credentials: 'same-origin' });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      text = await response.text();
    } catch (e) {
      status.textContent = `The recording could not be loaded (${e.message}).`;
      player.dataset.state = 'error';
      return;
    }
    const lines = text.split('\n').filter(l => l.length > 0);
    header = JSON.parse(lines[0]);
    events = [];
    let last = 0;
    let virtual = 0;
    for (const line of lines.slice(1)) {
      const event = JSON.parse(line);
      virtual += Math.min(MAX_GAP_S, Math.max(0, event[0] - last));
      last = event[0];
      events.push([virtual, event[1], event[2]]);
    }
    duration = virtual;
    range.max = String(Math.round(duration * 1000));
    const notes = [];
    if (header.command) {
      notes.push(`command: ${header.command}`);
    }
    if (header.vigil && header.vigil.truncated) {
      notes.push('the recording reached its size limit and ends early');
    }
    status.textContent = notes.join('; ');
    position = 0;
    restart();
    seek(duration);
    player.dataset.state = 'ready';
  }

  restart();
  // xterm.js adds some of its style elements later (at its first render).
  new MutationObserver(() => mirror(screen)).observe(screen, { childList: true, subtree: true });
  play.addEventListener('click', () => (timer === null ? start() : pause()));
  range.addEventListener('input', () => { pause(); seek(Number(range.value) / 1000); });
  speed.addEventListener('change', () => { if (timer !== null) { pause(); start(); } });
  player.hidden = false;

  (async function () {
    try {
      const response = await fetch(player.dataset.list, { credentials: 'same-origin' });
      const list = response.ok ? (await response.json()).data : [];
      if (list.length > 1) {
        for (const stream of list) {
          const option = document.createElement('option');
          option.value = String(stream.index);
          option.textContent = `${stream.index}: ${stream.command || 'shell'} (${stream.started_at})`;
          choice.append(option);
        }
        choice.closest('.terminal-choice').hidden = false;
        choice.addEventListener('change', () => load(Number(choice.value)));
      }
    } catch {
      // The first stream plays without the choice.
    }
  })();
  load(1);
})();
