// The mix's transcript under the player: its WebVTT cues with their
// speakers, the cue being heard highlighted as the mix plays, and a click on
// a line seeks the player to it. The cues are in mix time (the service
// writes them so), so no mapping is needed here.
'use strict';

window.namix = window.namix || {};

(function (namix) {
  const { el, clock } = namix;

  // "01:02:03.450", "02:03.450" or "02:03,450" -> seconds; NaN otherwise.
  function vttSeconds(text) {
    const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})$/.exec(text.trim());
    if (!m) return NaN;
    return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4].padEnd(3, '0')) / 1000;
  }

  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f' };
  function unescapeVtt(text) {
    return text.replace(/&(amp|lt|gt|quot|apos|nbsp|lrm|rlm);/g, (all, name) => ENTITIES[name]);
  }

  // WebVTT text -> [{start_s, end_s, speaker, text}] in time order. The
  // speaker is the first <v Name> (or <v.class Name>) of a cue; other tags
  // are dropped. Header, NOTE, STYLE and REGION blocks are skipped.
  namix.parseVtt = function parseVtt(text) {
    const lines = String(text).replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
    if (!/^WEBVTT(\s|$)/.test(lines[0] || '')) throw new Error('the transcript is not WebVTT');
    const cues = [];
    let i = 1;
    while (i < lines.length) {
      while (i < lines.length && lines[i].trim() === '') i += 1;
      const block = [];
      while (i < lines.length && lines[i].trim() !== '') { block.push(lines[i]); i += 1; }
      if (!block.length) break;
      const timing = block.findIndex((l) => l.includes('-->'));
      if (timing < 0 || timing > 1) continue;  // NOTE, STYLE, REGION or junk
      const [from, rest] = block[timing].split('-->');
      const start = vttSeconds(from);
      const end = vttSeconds((rest || '').trim().split(/\s+/)[0] || '');
      if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) continue;
      const payload = block.slice(timing + 1).join('\n');
      const voice = /<v(?:\.[^\s>]*)?\s+([^>]+)>/.exec(payload);
      const words = unescapeVtt(payload.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
      cues.push({ start_s: start, end_s: end, speaker: voice ? unescapeVtt(voice[1].trim()) : '', text: words });
    }
    return cues.sort((a, b) => a.start_s - b.start_s);
  };

  namix.createTranscriptView = function createTranscriptView({ section, box, list, status, player }) {
    let cues = [];
    let lines = [];
    let current = -1;
    let loading = 0;  // a later load() wins over an earlier one still fetching

    // The cue being heard: the last one started, while it lasts.
    function cueAt(t) {
      let lo = 0;
      let hi = cues.length - 1;
      let at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cues[mid].start_s <= t) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return at >= 0 && t < cues[at].end_s ? at : -1;
    }

    // Scrolls the transcript's own box, never the page under the reader.
    function keepInView(line) {
      const top = line.offsetTop;
      const bottom = top + line.offsetHeight;
      if (top < box.scrollTop || bottom > box.scrollTop + box.clientHeight) {
        box.scrollTop = Math.max(0, top - box.clientHeight / 3);
      }
    }

    function follow() {
      const i = cueAt(Number(player.currentTime) || 0);
      if (i === current) return;
      if (lines[current]) { lines[current].classList.remove('current'); lines[current].removeAttribute('aria-current'); }
      current = i;
      if (lines[i]) {
        lines[i].classList.add('current');
        lines[i].setAttribute('aria-current', 'true');
        keepInView(lines[i]);
      }
    }
    player.addEventListener('timeupdate', follow);
    player.addEventListener('seeked', follow);

    function show(parsed) {
      cues = parsed;
      current = -1;
      lines = cues.map((cue) => {
        const button = el('button', { type: 'button', className: 'cue-seek' },
          el('span', { className: 'cue-time' }, clock(cue.start_s)),
          cue.speaker ? el('span', { className: 'cue-speaker' }, cue.speaker) : null,
          el('span', { className: 'cue-text' }, cue.text));
        button.setAttribute('aria-label', `Play from ${clock(cue.start_s)}: ` +
          `${cue.speaker ? `${cue.speaker}: ` : ''}${cue.text}`);
        button.addEventListener('click', () => namix.seekPlayer(player, cue.start_s));
        const li = el('li', { className: 'cue' }, button);
        li.dataset.start = String(cue.start_s);
        li.dataset.end = String(cue.end_s);
        return li;
      });
      list.replaceChildren(...lines);
      status.textContent = cues.length ? '' : 'The transcript has no lines.';
      status.hidden = cues.length > 0;
      section.hidden = false;
      follow();
    }

    // The result's transcript, if it has one; a failure is said in place.
    async function load(result) {
      const link = result.downloads && result.downloads.transcript_vtt;
      const mine = ++loading;
      clear();
      if (!link || !link.url) return;
      section.hidden = false;
      status.hidden = false;
      status.textContent = 'Loading the transcript…';
      try {
        const text = await namix.getText(link.url);
        if (mine === loading) show(namix.parseVtt(text));
      } catch (err) {
        if (mine === loading) status.textContent = `The transcript could not be shown: ${err.message}`;
      }
    }

    function clear() {
      cues = [];
      lines = [];
      current = -1;
      list.replaceChildren();
      section.hidden = true;
    }
    return { load, show, clear };
  };
}(window.namix));
