// "Recent mixes": the stored mixes, newest first. Each one reopens its whole
// result view at an address of its own, ?mix=EPISODE/THEME/ID (its storage
// key without "mixes/" and ".mp3"), which a fresh page loads from
// GET /mix/history/EPISODE/THEME/ID; the MP3 stays one click away.
'use strict';

window.namix = window.namix || {};

(function (namix) {
  const { el, clock } = namix;

  // EPISODE/THEME/ID of a result (a job's, or one history lists), or null.
  namix.mixPath = function mixPath(result) {
    const key = (result && (result.mix_key || (result.download && result.download.s3_key))) || '';
    const m = /^mixes\/([^/]+\/[^/]+\/[^/.]+)\.mp3$/.exec(key);
    return m ? m[1] : null;
  };

  // The page's address for a mix: slashes stay readable in a shared link.
  namix.mixAddress = function mixAddress(path) {
    return `?mix=${path.split('/').map(encodeURIComponent).join('/')}`;
  };

  namix.mixPathInAddress = function mixPathInAddress(search) {
    return new URLSearchParams(search).get('mix');
  };

  function describe(m) {
    const meta = m.mix_metadata || m;
    const when = meta.created_at ? new Date(meta.created_at) : null;
    const title = `${meta.theme || 'Mix'}` +
      (meta.episode_number ? `, episode ${meta.episode_number}` : '') +
      (m.source && m.source.title ? `: ${m.source.title}` : '');
    const details = [
      when && !Number.isNaN(when.getTime()) ? when.toLocaleString() : null,
      meta.duration_actual !== undefined ? clock(meta.duration_actual) : null,
      meta.segments_count !== undefined ? `${meta.segments_count} segments` : null,
      m.downloads && m.downloads.transcript_vtt ? 'transcript' : null,
    ].filter(Boolean).join(' · ');
    return { title, details };
  }

  // onOpen(path, result) shows a mix picked from the list.
  namix.createHistoryView = function createHistoryView({ list, errorBox, empty, onOpen }) {
    function item(m) {
      const { title, details } = describe(m);
      const path = namix.mixPath(m);
      const mp3 = m.download && m.download.url;
      let open;
      if (path) {
        open = el('a', { href: namix.mixAddress(path), className: 'history-link' }, title);
        open.addEventListener('click', (ev) => {
          // A new tab or window opens the address itself.
          if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
          ev.preventDefault();
          onOpen(path, m);
        });
      } else {
        open = el('span', {}, title);
      }
      const download = mp3 ? el('a', { href: mp3, className: 'history-download', download: '' }, 'MP3') : null;
      if (download) download.setAttribute('aria-label', `Download the MP3 of ${title}`);
      return el('li', {}, open, details ? el('span', { className: 'hint' }, ` ${details} `) : ' ', download);
    }

    async function load() {
      try {
        const body = await namix.getJson('mix/history');
        errorBox.textContent = '';
        errorBox.hidden = true;
        const mixes = (body && body.mixes) || [];
        list.replaceChildren(...mixes.map(item));
        empty.hidden = mixes.length > 0;
      } catch (err) {
        errorBox.textContent = `History could not be loaded: ${err.message}`;
        errorBox.hidden = false;
      }
    }
    return { load };
  };
}(window.namix));
