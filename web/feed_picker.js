// Picking an episode from a podcast feed: the feed's latest items from
// GET /feed?url=… (number, date, title, duration, and whether the feed
// publishes a transcript and chapters for it); the one picked is mixed by
// feed_url + item, so the service takes the enclosure, transcript and
// chapters from the feed itself.
'use strict';

window.namix = window.namix || {};

(function (namix) {
  const { el, clock } = namix;

  function dateText(iso) {
    const d = iso ? new Date(iso) : null;
    return d && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 10) : '';
  }

  // onPick(choice | null) hears of every change of the picked episode.
  namix.createFeedPicker = function createFeedPicker({ urlInput, button, list, status, onPick }) {
    let feedUrl = '';
    let loading = 0;

    function itemRef(item) {
      return item.guid || (item.episode ? String(item.episode) : '');
    }

    function row(item, i) {
      const id = `feed-item-${i}`;
      const ref = itemRef(item);
      const input = el('input', { type: 'radio', name: 'feed_item', id, value: ref, disabled: !ref || !item.enclosure });
      input.addEventListener('change', () => {
        if (input.checked) onPick({ feed_url: feedUrl, item: ref, title: item.title || ref });
      });
      const badges = [
        item.transcript ? el('span', { className: 'badge badge-transcript' }, 'transcript') : null,
        item.chapters ? el('span', { className: 'badge badge-chapters' }, 'chapters') : null,
        item.enclosure ? null : el('span', { className: 'badge badge-missing' }, 'no audio'),
      ];
      const facts = [
        item.episode !== null && item.episode !== undefined ? `#${item.episode}` : null,
        dateText(item.published) || null,
        Number(item.duration_s) > 0 ? clock(item.duration_s) : null,
      ].filter(Boolean).join(' · ');
      return el('li', { className: 'feed-item' },
        el('label', { htmlFor: id },
          input,
          el('span', { className: 'feed-item-title' }, item.title || ref || 'Untitled'),
          el('span', { className: 'feed-item-facts' }, facts),
          ...badges));
    }

    async function listItems() {
      const url = urlInput.value.trim();
      if (!url) {
        status.textContent = 'Paste the address of the podcast\'s RSS feed first.';
        status.classList.add('error-text');
        urlInput.focus();
        return;
      }
      const mine = ++loading;
      onPick(null);
      list.replaceChildren();
      status.classList.remove('error-text');
      status.textContent = 'Reading the feed…';
      button.disabled = true;
      try {
        const body = await namix.getJson(`feed?url=${encodeURIComponent(url)}`);
        if (mine !== loading) return;
        feedUrl = url;
        const items = (body && body.items) || [];
        list.replaceChildren(...items.map(row));
        const title = body && body.feed && body.feed.title;
        status.textContent = items.length
          ? `${title ? `${title}: ` : ''}the latest ${items.length} episode${items.length === 1 ? '' : 's'}. Pick one to mix.`
          : 'The feed has no episodes.';
      } catch (err) {
        if (mine !== loading) return;
        status.textContent = `The feed could not be read: ${err.message}`;
        status.classList.add('error-text');
      } finally {
        if (mine === loading) button.disabled = false;
      }
    }
    button.addEventListener('click', listItems);
    urlInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') { ev.preventDefault(); listItems(); }
    });

    // Forgets the picked episode (the producer turned to a URL or a file).
    function unpick() {
      for (const input of list.querySelectorAll('input[name="feed_item"]')) input.checked = false;
    }
    return { unpick };
  };
}(window.namix));
