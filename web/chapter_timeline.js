// The mix's chapters marked on a strip under the player: one band per
// chapter, a playhead that follows playback, and a click on a band seeks to
// its start. Chapters come from the mix's JSON chapters file (Podcasting 2.0
// chapters 1.2) when the result links one, else from its segments, titled as
// the MP3's own ID3 chapters are ("00:01:23 banter").
'use strict';

window.namix = window.namix || {};

(function (namix) {
  const { el, clock } = namix;

  function hms(seconds) {
    const s = Math.max(0, Math.round(Number(seconds) || 0));
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
      .map((n) => String(n).padStart(2, '0')).join(':');
  }

  namix.chaptersFromSegments = function chaptersFromSegments(segments) {
    return (segments || []).map((seg) => ({
      start_s: Number(seg.mix_start) || 0,
      title: `${hms(seg.start_time)} ${seg.kind || 'segment'}`,
    }));
  };

  // chapters 1.2: {version, chapters: [{startTime, title, endTime?, toc?}]};
  // chapters with toc: false are not for the table of contents.
  namix.chaptersFromJson = function chaptersFromJson(doc) {
    const list = doc && Array.isArray(doc.chapters) ? doc.chapters : null;
    if (!list) throw new Error('the chapters file has no "chapters" list');
    return list
      .filter((c) => c && Number.isFinite(Number(c.startTime)) && c.toc !== false)
      .map((c) => ({ start_s: Number(c.startTime), title: String(c.title || '') }))
      .sort((a, b) => a.start_s - b.start_s);
  };

  // {chapters, note}: note says why the segments stand in, when they do.
  namix.loadChapters = async function loadChapters(result) {
    const link = result.downloads && result.downloads.chapters;
    if (link && link.url) {
      try {
        const doc = JSON.parse(await namix.getText(link.url));
        return { chapters: namix.chaptersFromJson(doc), note: '' };
      } catch (err) {
        return { chapters: namix.chaptersFromSegments(result.segments),
                 note: `The chapters file could not be read (${err.message}); the segments are shown instead.` };
      }
    }
    return { chapters: namix.chaptersFromSegments(result.segments), note: '' };
  };

  namix.createChapterTimeline = function createChapterTimeline({ box, track, now, player }) {
    let chapters = [];
    let duration = 0;
    let current = -1;
    const playhead = el('div', { className: 'chapter-playhead' });
    playhead.setAttribute('aria-hidden', 'true');

    function chapterAt(t) {
      let at = -1;
      chapters.forEach((c, i) => { if (c.start_s <= t + 0.05) at = i; });
      return at;
    }

    function follow() {
      const t = Number(player.currentTime) || 0;
      const d = Number(player.duration) > 0 && Number.isFinite(player.duration) ? player.duration : duration;
      playhead.style.left = `${d > 0 ? Math.min(100, (100 * t) / d) : 0}%`;
      const i = chapterAt(t);
      if (i === current) return;
      const buttons = track.querySelectorAll('.chapter');
      if (buttons[current]) { buttons[current].classList.remove('current'); buttons[current].removeAttribute('aria-current'); }
      current = i;
      if (buttons[i]) { buttons[i].classList.add('current'); buttons[i].setAttribute('aria-current', 'true'); }
      now.textContent = i >= 0 ? `Chapter ${i + 1} of ${chapters.length}: ${chapters[i].title}` : '';
    }
    player.addEventListener('timeupdate', follow);
    player.addEventListener('seeked', follow);

    function show(list, durationS) {
      chapters = list.filter((c) => c.start_s < durationS || !durationS);
      duration = Number(durationS) || (chapters.length ? chapters[chapters.length - 1].start_s + 1 : 1);
      current = -1;
      const buttons = chapters.map((c, i) => {
        const end = i + 1 < chapters.length ? chapters[i + 1].start_s : duration;
        const label = `Chapter ${i + 1}: ${c.title}, at ${clock(c.start_s)}`;
        const b = el('button', { type: 'button', className: 'chapter', title: label },
          el('span', { className: 'chapter-number' }, String(i + 1)));
        b.setAttribute('aria-label', label);
        b.dataset.start = String(c.start_s);
        b.style.left = `${(100 * c.start_s) / duration}%`;
        b.style.width = `${(100 * Math.max(0, end - c.start_s)) / duration}%`;
        b.addEventListener('click', () => namix.seekPlayer(player, c.start_s));
        return b;
      });
      track.replaceChildren(...buttons, playhead);
      box.hidden = chapters.length === 0;
      now.textContent = '';
      follow();
    }

    function clear() {
      chapters = [];
      track.replaceChildren();
      box.hidden = true;
      now.textContent = '';
    }
    return { show, clear };
  };
}(window.namix));
