// The page's "Followed shows" section: each subscription with its last
// poll, the mixes it produced and its podcast feed URLs to copy. Reads GET
// /subscriptions; a server that follows no feed answers 404 and the section
// stays hidden. app.js owns the rest of the page.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const section = $('subscriptions-section');
  if (!section) return;
  const { el } = window.namix;

  function when(iso) {
    if (!iso) return 'never';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
  }

  function lastPoll(s) {
    const poll = s.last_poll || {};
    const outcome = {
      new_items: 'new items', unchanged: 'no new items', not_modified: 'not modified',
      failed: 'failed',
    }[poll.outcome] || 'not polled yet';
    const text = `Last poll: ${when(poll.at)} (${outcome})`;
    const error = poll.error && poll.error.message ? ` — ${poll.error.message}` : '';
    return el('p', { className: s.status === 'failing' ? 'error sub-poll' : 'hint sub-poll' },
      text + error);
  }

  function copyField(url) {
    const input = el('input', { type: 'text', readOnly: true, value: url, className: 'feed-url' });
    input.setAttribute('aria-label', 'Podcast feed URL');
    const button = el('button', { type: 'button', className: 'secondary copy-feed' }, 'Copy');
    button.addEventListener('click', async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(url);
        button.textContent = 'Copied';
      } catch (err) {
        // Without clipboard permission the URL stays selected to copy by hand.
        button.textContent = 'Selected';
      }
    });
    return el('div', { className: 'feed-copy' }, input, button);
  }

  function output(o) {
    const mixes = o.mixes || [];
    return el('li', { className: 'sub-output' },
      el('strong', {}, `${o.theme} (${o.duration === 'full' ? 'full' : `${o.duration} s`})`),
      el('span', { className: 'hint sub-count' }, ` ${mixes.length} mix${mixes.length === 1 ? '' : 'es'}`),
      copyField(o.podcast_feed_url),
      el('ul', { className: 'sub-mixes' }, ...mixes.slice(0, 5).map((m) =>
        el('li', {}, el('a', { href: m.url }, m.item_title || m.item_guid),
          el('span', { className: 'hint' }, ` ${when(m.mixed_at)}`)))));
  }

  function subscription(s) {
    const title = (s.show && s.show.title) || s.id;
    return el('li', { className: 'subscription' },
      el('h3', {}, title, el('span', { className: `sub-status ${s.status}` }, ` · ${s.status}`)),
      el('p', { className: 'hint' }, s.feed_url),
      lastPoll(s),
      el('ul', { className: 'sub-outputs' }, ...(s.outputs || []).map(output)));
  }

  async function load() {
    const list = $('subscriptions');
    const box = $('subscriptions-error');
    let response;
    try {
      response = await fetch('subscriptions',
        { headers: window.namix.apiHeaders({ Accept: 'application/json' }) });
    } catch (err) {
      box.textContent = 'The server could not be reached. Is namix serve running?';
      box.hidden = false;
      section.hidden = false;
      return;
    }
    if (response.status === 404) {  // this server follows no feed
      section.hidden = true;
      return;
    }
    const body = await window.namix.readJson(response);
    if (!response.ok) {
      const e = body && body.error;
      box.textContent = `Followed shows could not be loaded: ${(e && e.message) || `HTTP ${response.status}`}`;
      box.hidden = false;
      section.hidden = false;
      return;
    }
    box.hidden = true;
    const subs = (body && body.subscriptions) || [];
    list.replaceChildren(...subs.map(subscription));
    $('subscriptions-empty').hidden = subs.length > 0;
    section.hidden = false;
  }

  $('subscriptions-refresh').addEventListener('click', load);
  document.addEventListener('namix:api-key-changed', load);
  load();
}());
