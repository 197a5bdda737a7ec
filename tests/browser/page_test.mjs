// End-to-end test of the namix page in Debian's headless Chromium.
//
//   node page_test.mjs --namix build/src/app/namix --web-dir web --out-dir build/tests/browser
//
// Starts the real `namix serve` on a free loopback port with
// --allow-private-urls, serves a fixture episode (made here with espeak-ng
// and lame: two voices, pauses between turns) and its WebVTT transcript
// from a loopback file server, then drives the page like a producer would:
// submit a job, watch progress reach 100 %, play the mix, check the episode
// picture and the chapters against the result, click a segment, reopen the
// mix at its address in a fresh page and from "Recent mixes", follow a
// mix's transcript as it plays and click a line, and submit an unknown URL
// to see the API's own error. Screenshots of the finished page land in
// --out-dir.
//
// `--url http://127.0.0.1:PORT/` drives an already running server instead
// (for working on the page); ctest always starts the real binary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fixtureChapters, fixtureFeed, pickAndMixFromFeed } from './feed_checks.mjs';
import { checkTranscriptView } from './transcript_checks.mjs';
import { makeEpisode, SPEAKERS } from './fixture_episode.mjs';
import { assert, check, cleanups, CHROMIUM, openBrowser, runChecks } from './harness.mjs';
import { serveFiles, startNamix } from './loopback_servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const outDir = path.resolve(args['out-dir'] || path.join(here, 'artifacts'));
const webDir = path.resolve(args['web-dir'] || path.join(here, '..', '..', 'web'));
const chromiumPath = args.chromium || CHROMIUM;
const MIX_TIMEOUT_MS = 240_000;

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`usage: page_test.mjs --namix PATH [--web-dir DIR] [--out-dir DIR]; bad argument ${argv[i]}`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

// ---- the test -------------------------------------------------------------
async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'namix-browser-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));

  const episode = makeEpisode(work);
  console.log(`fixture: ${episode.seconds.toFixed(1)} s episode`);
  const fileServer = await serveFiles({
    '/episode-100.mp3': { type: 'audio/mpeg', body: fs.readFileSync(episode.mp3) },
    '/episode-100.vtt': { type: 'text/vtt', body: episode.vtt },
    '/episode-100.chapters.json': { type: 'application/json+chapters', body: fixtureChapters(episode.cues) },
    // The feed names its own server, known only once it listens.
    '/feed.xml': { type: 'application/rss+xml', body: () => fixtureFeed(fileBase) },
  });
  const fileBase = fileServer.base;
  cleanups.push(fileServer.close);
  const files = { base: fileServer.base, name: '/episode-100.mp3' };
  let base;
  if (args.url) {
    base = args.url.replace(/\/$/, '');
  } else {
    if (!args.namix) throw new Error('pass --namix PATH (the namix binary) or --url BASE');
    const namix = await startNamix({ namix: args.namix, work, outDir, webDir });
    cleanups.push(namix.stop);
    base = namix.base;
  }

  const { context, page, pageErrors } = await openBrowser(path.join(work, 'profile'), chromiumPath);

  // Every job poll and submission as the page saw it, to compare with the screen.
  const apiBodies = [];
  page.on('response', async (response) => {
    if (!/\/mix\/jobs/.test(response.url())) return;
    try {
      apiBodies.push({ url: response.url(), status: response.status(), body: await response.json() });
    } catch (err) { /* not JSON */ }
  });

  // Submits through the page and waits for the job's result, as the page saw it.
  async function waitForResult(submit) {
    apiBodies.length = 0;
    await submit();
    await page.waitForFunction(() => !document.getElementById('submit-mix').disabled,
      null, { timeout: MIX_TIMEOUT_MS });
    const error = await page.$eval('#form-error', (e) => (e.hidden ? '' : e.textContent));
    assert(!error, `the page shows an error: ${error}`);
    const done = apiBodies.find((r) => r.body && r.body.state === 'done');
    assert(done && done.body.result, 'no done job with a result seen by the page');
    return done.body.result;
  }

  await page.goto(`${base}/`);
  let result = null;
  const percentsSeen = new Set();

  await check('themes load with their descriptions', async () => {
    await page.waitForSelector('#themes input[name="theme"]', { timeout: 10_000 });
    const themes = await (await fetch(`${base}/mix/themes`)).json();
    const cards = await page.$$eval('#themes .theme-card', (els) => els.map((e) => ({
      name: e.querySelector('.theme-name').textContent, desc: e.querySelector('.theme-desc').textContent })));
    assert(cards.length === themes.themes.length, `${cards.length} theme cards for ${themes.themes.length} themes`);
    assert(cards.every((c, i) => c.name === themes.themes[i].name && c.desc === themes.themes[i].description),
      'theme names or descriptions differ from /mix/themes');
  });

  await check('a job runs to 100 % and shows the mix', async () => {
    await page.fill('#episode-url', `${files.base}${files.name}`);
    await page.check('#themes input[value="Best Of" i]').catch(() => page.check('#themes input[name="theme"]'));
    await page.check('input[name="duration"][value="30"]');
    await page.click('#submit-mix');
    await page.waitForSelector('#progress-section:not([hidden])', { timeout: 10_000 });
    const deadline = Date.now() + MIX_TIMEOUT_MS;
    for (;;) {
      const state = await page.evaluate(() => ({
        percent: document.getElementById('job-percent').textContent,
        done: !document.getElementById('result-section').hidden,
        error: document.getElementById('form-error').hidden ? '' : document.getElementById('form-error').textContent,
      }));
      percentsSeen.add(state.percent);
      if (state.error) throw new Error(`the page shows an error: ${state.error}`);
      if (state.done) break;
      if (Date.now() > deadline) throw new Error(`no result after ${MIX_TIMEOUT_MS / 1000} s; last ${state.percent}`);
      await page.waitForTimeout(100);
    }
    assert(await page.textContent('#job-percent') === '100 %', `progress ends at ${await page.textContent('#job-percent')}`);
    assert(await page.$eval('#job-progress', (p) => p.value) === 100, 'the progress bar is not full');
    const done = apiBodies.find((r) => r.body && r.body.state === 'done');
    assert(done && done.body.result, 'no done job with a result seen by the page');
    result = done.body.result;
    assert(result.status === 'success', `result status ${result.status}`);
    assert(result.mix_metadata.mp3_quality === 3, `standard encoding made -q ${result.mix_metadata.mp3_quality}`);
    console.log(`     progress seen: ${[...percentsSeen].join(', ')}`);
  });

  await check('the player loads a playable mix of the reported length', async () => {
    assert(result, 'no result');
    const audio = await page.waitForFunction(() => {
      const a = document.getElementById('player');
      return a.readyState >= 2 && a.duration > 0 ? { duration: a.duration, src: a.currentSrc } : null;
    }, null, { timeout: 30_000 });
    const { duration, src } = await audio.jsonValue();
    const reported = Number(result.mix_metadata.duration_actual);
    // MP3 duration from the browser's demuxer: encoder delay/padding and
    // frame rounding stay well under a second.
    assert(Math.abs(duration - reported) < 1.0, `player duration ${duration} s, result says ${reported} s`);
    const href = await page.getAttribute('#download-link', 'href');
    assert(href && href === result.download.url, `download link ${href}, result ${result.download.url}`);
    const head = await fetch(new URL(src, base), { method: 'HEAD' });
    assert(head.status === 200 && /audio\/mpeg/.test(head.headers.get('content-type') || ''),
      `HEAD ${src}: ${head.status} ${head.headers.get('content-type')}`);
  });

  await check('the figures show duration, LUFS, true peak, size and time', async () => {
    const text = await page.textContent('#figures');
    const meta = result.mix_metadata;
    for (const want of [`${Number(meta.integrated_lufs).toFixed(1)} LUFS`, `${Number(meta.true_peak_dbtp).toFixed(1)} dBTP`,
      `${Number(meta.file_size_mb).toFixed(2)} MB`, `LAME -q ${meta.mp3_quality}`, 'Processing time']) {
      assert(text.includes(want), `figures lack "${want}": ${text}`);
    }
  });

  await check('the episode picture has one segment per result segment', async () => {
    const n = result.segments.length;
    assert(n > 0, 'the result has no segments');
    await page.waitForSelector('#episode-plot .plot-segment', { timeout: 10_000 });
    const count = await page.$$eval('#episode-plot .plot-segment', (els) => els.length);
    assert(count === n, `${count} segments drawn, result has ${n}`);
    const blocks = await page.$$eval('#episode-plot .plot-block', (els) => els.length);
    const wantBlocks = (result.analysis.blocks || []).length;
    assert(blocks === wantBlocks, `${blocks} blocks drawn, result has ${wantBlocks}`);
    if (result.analysis.timeline) {
      assert(await page.$('#episode-plot canvas'), 'the result has a loudness timeline but no curve is drawn');
    }
  });

  await check('selecting a segment seeks the player to its mix_start', async () => {
    const i = result.segments.length - 1;
    const want = Number(result.segments[i].mix_start);
    await page.evaluate(() => { const a = document.getElementById('player'); a.pause(); a.currentTime = 0; });
    await page.waitForFunction(() => !document.getElementById('player').seeking);
    // Where the seek landed, read at the 'seeked' event (playback moves on after it).
    await page.evaluate(() => {
      window.seekedAt = [];
      document.getElementById('player').addEventListener('seeked', (ev) => window.seekedAt.push(ev.target.currentTime));
    });
    // By keyboard: focus the segment, press Enter.
    await page.focus(`#episode-plot .plot-segment >> nth=${i}`);
    await page.keyboard.press('Enter');
    const at = await page.waitForFunction((w) => window.seekedAt.find((t) => Math.abs(t - w) < 0.25),
      want, { timeout: 10_000 }).then((h) => h.jsonValue());
    console.log(`     segment ${i + 1}: mix_start ${want} s, player at ${at.toFixed(2)} s`);
    await page.evaluate(() => document.getElementById('player').pause());
  });

  // EPISODE/THEME/ID: the mix's storage key without "mixes/" and ".mp3".
  const mixPath = (r) => /^mixes\/(.+)\.mp3$/.exec(r.download.s3_key)[1];

  await check('the mix has its own address, and history links to it', async () => {
    const want = mixPath(result);
    assert(new URL(page.url()).searchParams.get('mix') === want, `the address is ${page.url()}, not ?mix=${want}`);
    assert(await page.getAttribute('#share-link', 'href') === `?mix=${want}`, 'the share link is not the mix\'s address');
    await page.waitForSelector('#history a.history-link', { timeout: 10_000 });
    const rows = await page.$$eval('#history li', (els) => els.map((li) => ({
      open: li.querySelector('a.history-link') && li.querySelector('a.history-link').getAttribute('href'),
      mp3: li.querySelector('a.history-download') && li.querySelector('a.history-download').getAttribute('href'),
    })));
    const row = rows.find((r) => r.open === `?mix=${want}`);
    assert(row, `no history link to ?mix=${want}: ${JSON.stringify(rows)}`);
    // The MP3 link is a fresh signed one for the same file.
    assert(row.mp3 && new URL(row.mp3, base).pathname === new URL(result.download.url, base).pathname,
      `history's MP3 link ${row.mp3}, the result's ${result.download.url}`);
  });

  await check('the chapters are marked on the player\'s timeline, and one seeks there', async () => {
    let want;
    if (result.downloads && result.downloads.chapters) {
      const doc = await (await fetch(new URL(result.downloads.chapters.url, base))).json();
      want = doc.chapters.map((c) => Number(c.startTime));
    } else {
      want = result.segments.map((seg) => Number(seg.mix_start));
    }
    await page.waitForSelector('#chapter-timeline:not([hidden]) .chapter', { timeout: 10_000 });
    const bands = await page.$$eval('#chapter-track .chapter', (els) => els.map((b) => ({
      start: Number(b.dataset.start), left: parseFloat(b.style.left), label: b.getAttribute('aria-label') })));
    assert(bands.length === want.length, `${bands.length} chapters drawn, the mix has ${want.length}`);
    const duration = Number(result.mix_metadata.duration_actual);
    bands.forEach((b, i) => {
      assert(Math.abs(b.start - want[i]) < 0.01, `chapter ${i + 1} at ${b.start} s, the mix says ${want[i]} s`);
      assert(Math.abs(b.left - (100 * want[i]) / duration) < 0.5, `chapter ${i + 1} drawn at ${b.left} %`);
      assert(/^Chapter \d+: \S/.test(b.label), `chapter ${i + 1} is labelled "${b.label}"`);
    });
    const i = bands.length - 1;
    await page.evaluate(() => {
      const a = document.getElementById('player');
      a.pause();
      window.seekedAt = [];
      a.addEventListener('seeked', (ev) => window.seekedAt.push(ev.target.currentTime));
    });
    await page.click(`#chapter-track .chapter >> nth=${i}`);
    await page.waitForFunction((w) => window.seekedAt.find((t) => Math.abs(t - w) < 0.25), want[i], { timeout: 10_000 });
    await page.waitForFunction((n) => {
      const b = document.querySelectorAll('#chapter-track .chapter')[n];
      return b && b.getAttribute('aria-current') === 'true';
    }, i, { timeout: 5_000 });
    await page.evaluate(() => document.getElementById('player').pause());
  });

  await check('the mix\'s address opened in a fresh page shows the same view', async () => {
    const want = mixPath(result);
    const fresh = await context.newPage();
    const errors = [];
    fresh.on('pageerror', (err) => errors.push(err.message));
    try {
      await fresh.goto(`${base}/?mix=${want}`);
      await fresh.waitForSelector('#result-section:not([hidden])', { timeout: 10_000 });
      const view = (p) => p.evaluate(() => ({
        figures: document.getElementById('figures').textContent,
        segments: document.querySelectorAll('#segment-list li').length,
        plotted: document.querySelectorAll('#episode-plot .plot-segment').length,
        blocks: document.querySelectorAll('#episode-plot .plot-block').length,
        curve: !!document.querySelector('#episode-plot canvas'),
        chapters: [...document.querySelectorAll('#chapter-track .chapter')].map((b) => b.dataset.start).join(','),
        transcript: document.querySelectorAll('#transcript .cue').length,
        message: document.getElementById('result-message').textContent,
      }));
      await fresh.waitForSelector('#chapter-track .chapter', { timeout: 10_000 });
      const [before, after] = [await view(page), await view(fresh)];
      assert(JSON.stringify(before) === JSON.stringify(after),
        `the reopened view differs:\n  first ${JSON.stringify(before)}\n  fresh ${JSON.stringify(after)}`);
      assert(after.segments === result.segments.length, `${after.segments} segments listed`);
      const duration = await fresh.waitForFunction(() => {
        const a = document.getElementById('player');
        return a.readyState >= 2 && a.duration > 0 ? a.duration : null;
      }, null, { timeout: 30_000 }).then((h) => h.jsonValue());
      assert(Math.abs(duration - Number(result.mix_metadata.duration_actual)) < 1.0, `the reopened player plays ${duration} s`);
      const missing = await fresh.goto(`${base}/?mix=100/best-of/20000101T000000Z-00000000`).then(() =>
        fresh.waitForSelector('#result-error:not([hidden])', { timeout: 10_000 })).then((e) => e.textContent());
      assert(/no stored mix/.test(missing) && !/\/tmp\//.test(missing), `an unknown mix shows "${missing}"`);
      assert(errors.length === 0, errors.join('; '));
    } finally {
      await fresh.close();
    }
  });

  const screenshot = path.join(outDir, 'browser_page.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`     screenshot: ${screenshot}`);

  await check('a phone-width screen needs no sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `the page is ${overflow} px wider than a 375 px screen`);
    await page.screenshot({ path: path.join(outDir, 'browser_page_375.png'), fullPage: true });
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  await check('every control has a label', async () => {
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, audio')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
      .map((e) => e.id || e.outerHTML.slice(0, 60)));
    assert(unlabelled.length === 0, `unlabelled: ${unlabelled.join(', ')}`);
  });

  await check('an unknown URL shows the API\'s error message in place', async () => {
    apiBodies.length = 0;
    await page.fill('#episode-url', `${files.base}/missing.mp3`);
    await page.click('#submit-mix');
    await page.waitForSelector('#form-error:not([hidden])', { timeout: 60_000 });
    const shown = (await page.textContent('#form-error')).trim();
    const failed = apiBodies.find((r) => r.status >= 400 || (r.body && r.body.state === 'failed'));
    assert(failed, 'the page shows an error but no failing API answer was seen');
    // A refused submission is {status:"error", error:{code, message}}; a
    // failed job carries that document as its `error`.
    let err = failed.body.error;
    if (err && typeof err === 'object' && err.error) err = err.error;
    const message = typeof err === 'string' ? err : err && err.message;
    assert(message, `the API's failure has no message: ${JSON.stringify(failed.body)}`);
    assert(shown === message, `page shows "${shown}", API said "${message}"`);
    assert(!shown.includes('{'), 'raw JSON shown');
    console.log(`     error shown: ${shown}`);
    await page.screenshot({ path: path.join(outDir, 'browser_page_error.png'), fullPage: false });
  });

  await check('an uploaded file is mixed, with upload progress, at the encoding chosen', async () => {
    apiBodies.length = 0;
    await page.fill('#episode-url', '');
    await page.check('input[name="mp3_quality"][value="7"]');
    await page.setInputFiles('#episode-file', episode.mp3);
    assert((await page.textContent('#file-chosen')).includes('episode-100.mp3'), 'the chosen file is not named');
    await page.click('#submit-mix');
    await page.waitForSelector('#upload-row:not([hidden])', { timeout: 10_000 });
    await page.waitForFunction(() => !document.getElementById('submit-mix').disabled,
      null, { timeout: MIX_TIMEOUT_MS });
    const error = await page.$eval('#form-error', (e) => (e.hidden ? '' : e.textContent));
    assert(!error, `the page shows an error: ${error}`);
    assert(await page.textContent('#upload-percent') === '100 %', `upload ends at ${await page.textContent('#upload-percent')}`);
    assert(await page.textContent('#job-percent') === '100 %', `job ends at ${await page.textContent('#job-percent')}`);
    const done = apiBodies.find((r) => r.body && r.body.state === 'done');
    assert(done && done.body.result.session_id !== result.session_id, 'no new mix from the upload');
    assert(done.body.result.mix_metadata.mp3_quality === 7, `fast encoding made -q ${done.body.result.mix_metadata.mp3_quality}`);
    const count = await page.$$eval('#episode-plot .plot-segment', (els) => els.length);
    assert(count === done.body.result.segments.length, `${count} segments drawn for the upload's mix`);
  });

  await check('a mix picked under Recent mixes reopens its view; Back returns', async () => {
    const first = mixPath(result);
    const latest = new URL(page.url()).searchParams.get('mix');
    assert(latest && latest !== first, `the upload's mix has no address of its own: ${page.url()}`);
    await page.click('#history-refresh');
    await page.click(`#history a.history-link[href="?mix=${first}"]`);
    await page.waitForFunction((w) => new URLSearchParams(window.location.search).get('mix') === w, first, { timeout: 5_000 });
    await page.waitForFunction((n) => document.querySelectorAll('#episode-plot .plot-segment').length === n &&
      document.getElementById('download-link').getAttribute('href').includes('/files/'), result.segments.length, { timeout: 10_000 });
    const href = await page.getAttribute('#download-link', 'href');
    assert(new URL(href, base).pathname === new URL(result.download.url, base).pathname, `the player's mix is ${href}`);
    await page.goBack();
    await page.waitForFunction((w) => new URLSearchParams(window.location.search).get('mix') === w, latest, { timeout: 5_000 });
    await page.waitForFunction((w) => document.getElementById('download-link').getAttribute('href').includes(w.split('/').pop()),
      latest, { timeout: 10_000 });
  });

  // A mix with the fixture's transcript, ordered from the API as a script
  // would, then opened at its address: the transcript view of a reopened mix.
  let wordsResult = null;
  await check('a mix with a transcript, opened at its address, shows it under the player', async () => {
    const accepted = await (await fetch(`${base}/mix/jobs`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ episode_url: `${fileBase}/episode-100.mp3`, transcript_url: `${fileBase}/episode-100.vtt`,
        theme: 'Best Of', target_duration: 30 }),
    })).json();
    assert(accepted.job_id, `the job was refused: ${JSON.stringify(accepted)}`);
    const deadline = Date.now() + MIX_TIMEOUT_MS;
    let job;
    do {
      await new Promise((r) => setTimeout(r, 250));
      job = await (await fetch(`${base}/mix/jobs/${accepted.job_id}`)).json();
    } while (job.state !== 'done' && job.state !== 'failed' && Date.now() < deadline);
    assert(job.state === 'done', `the job ended ${job.state}: ${JSON.stringify(job.error || '')}`);
    wordsResult = job.result;
    assert(wordsResult.downloads && wordsResult.downloads.transcript_vtt, 'the mix has no transcript link');
    await page.goto(`${base}/?mix=${mixPath(wordsResult)}`);
    await page.waitForSelector('#result-section:not([hidden])', { timeout: 10_000 });
  });

  await check('the transcript shows its speakers, follows playback, and a line seeks', async () => {
    assert(wordsResult, 'no mix with a transcript');
    await checkTranscriptView({ page, base, result: wordsResult, assert, speakers: Object.values(SPEAKERS) });
    await page.screenshot({ path: path.join(outDir, 'browser_page_transcript.png'), fullPage: true });
  });

  await check('the feed picker lists the feed\'s episodes and mixes the one picked', async () => {
    const result = await pickAndMixFromFeed({ page, base, feedUrl: `${fileBase}/feed.xml`, assert, waitForResult });
    assert(result.source.title === 'The one with the words', `the mix's source is ${JSON.stringify(result.source)}`);
    await page.waitForSelector('#transcript .cue', { timeout: 10_000 });
    assert(await page.$$eval('#transcript .cue', (els) => els.length) > 1, 'the feed\'s mix shows no transcript');
    await page.screenshot({ path: path.join(outDir, 'browser_page_feed.png'), fullPage: true });
  });

  await check('the page threw no script errors', async () => {
    assert(pageErrors.length === 0, pageErrors.join('; '));
  });
}

await runChecks(main);
