// The browser test's transcript view: the mix's transcript under the
// player, its speakers, the highlight following playback, a click seeking.

function vttCueCount(text) {
  return text.split(/\r?\n/).filter((l) => l.includes('-->')).length;
}

// The transcript under the player: every cue of the mix's WebVTT with its
// speaker; playback moves the highlight; a click on a line seeks to it.
export async function checkTranscriptView({ page, base, result, assert, speakers }) {
  const vtt = await (await fetch(new URL(result.downloads.transcript_vtt.url, base))).text();
  const want = vttCueCount(vtt);
  assert(want > 1, `the mix's transcript has ${want} cues`);
  await page.waitForSelector('#transcript-section:not([hidden]) #transcript .cue', { timeout: 10_000 });
  const lines = await page.$$eval('#transcript .cue', (els) => els.map((li) => ({
    start: Number(li.dataset.start), end: Number(li.dataset.end),
    speaker: (li.querySelector('.cue-speaker') || { textContent: '' }).textContent,
    text: li.querySelector('.cue-text').textContent })));
  assert(lines.length === want, `${lines.length} transcript lines shown, the mix's WebVTT has ${want} cues`);
  assert(lines.every((l) => speakers.includes(l.speaker)), `speakers shown: ${[...new Set(lines.map((l) => l.speaker))].join(', ')}`);
  assert(lines.every((l) => l.text.length > 0 && !/[<>]/.test(l.text)), 'a line is empty or shows markup');

  // Playback: the highlighted line is the one being heard, and it moves on.
  const seen = new Set();
  await page.evaluate(() => { const a = document.getElementById('player'); a.muted = true; a.currentTime = 0; a.play(); });
  const deadline = Date.now() + 20_000;
  while (seen.size < 2 && Date.now() < deadline) {
    const now = await page.evaluate(() => {
      const a = document.getElementById('player');
      const on = document.querySelector('#transcript .cue.current');
      return { t: a.currentTime, start: on ? Number(on.dataset.start) : null, end: on ? Number(on.dataset.end) : null,
               current: on ? on.getAttribute('aria-current') : null };
    });
    if (now.start !== null) {
      // timeupdate comes every 250 ms or so: the highlight may trail by one.
      assert(now.start <= now.t + 0.05 && now.t < now.end + 0.5, `at ${now.t.toFixed(2)} s the line ${now.start}–${now.end} is highlighted`);
      assert(now.current === 'true', 'the highlighted line is not aria-current');
      seen.add(now.start);
    }
    await page.waitForTimeout(150);
  }
  await page.evaluate(() => document.getElementById('player').pause());
  assert(seen.size >= 2, `the highlight did not move with playback (lines seen: ${[...seen].join(', ')})`);

  // A click on a line seeks to its start and highlights it.
  const i = Math.min(lines.length - 1, 3);
  await page.evaluate(() => {
    window.seekedAt = [];
    document.getElementById('player').addEventListener('seeked', (ev) => window.seekedAt.push(ev.target.currentTime));
  });
  await page.click(`#transcript .cue >> nth=${i} >> button`);
  await page.waitForFunction((w) => window.seekedAt.find((t) => Math.abs(t - w) < 0.25), lines[i].start, { timeout: 10_000 });
  await page.evaluate(() => document.getElementById('player').pause());
  await page.waitForFunction((n) => document.querySelectorAll('#transcript .cue')[n].classList.contains('current'), i, { timeout: 5_000 });
}
