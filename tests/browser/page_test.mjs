// End-to-end test of the namix page in Debian's headless Chromium.
//
//   node page_test.mjs --namix build/src/app/namix --web-dir web --out-dir build/tests/browser
//
// Starts the real `namix serve` on a free loopback port with
// --allow-private-urls, serves a fixture episode (made here with espeak-ng
// and lame: two voices, pauses between turns) from a loopback file server,
// then drives the page like a producer would: submit a job, watch progress
// reach 100 %, play the mix, check the episode picture against the result,
// click a segment, and submit an unknown URL to see the API's own error.
// Screenshots of the finished page land in --out-dir.
//
// `--url http://127.0.0.1:PORT/` drives an already running server instead
// (for working on the page); ctest always starts the real binary.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const outDir = path.resolve(args['out-dir'] || path.join(here, 'artifacts'));
const webDir = path.resolve(args['web-dir'] || path.join(here, '..', '..', 'web'));
const chromiumPath = args.chromium || '/usr/bin/chromium';
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

let playwright;
try {
  playwright = await import('playwright-core');
} catch (err) {
  console.error(`playwright-core is missing: run \`npm ci\` in ${here} (make deps does). ${err.message}`);
  process.exit(1);
}
if (!fs.existsSync(chromiumPath)) {
  console.error(`${chromiumPath} is missing: apt-get install chromium (make deps does).`);
  process.exit(1);
}

const cleanups = [];
const results = [];
function check(name, fn) {
  return fn().then(
    () => { results.push([name, true]); console.log(`ok   ${name}`); },
    (err) => { results.push([name, false]); console.log(`FAIL ${name}: ${err.message}`); });
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- fixture episode ------------------------------------------------------
// Two hosts (espeak-ng voices a fifth apart, the second 6 dB quieter, like
// the reference show's hosts) taking turns with 0.5-1.4 s pauses; ~70 s.
const LINES = [
  ['a', 'Welcome back to the show. This is episode one hundred, and we have a lot to get through today.'],
  ['b', 'We certainly do. The news this week was full of the usual nonsense.'],
  ['a', 'Let me start with the media. Every single network ran the same story, word for word, on the same morning.'],
  ['b', 'Same words, same order. You have to wonder who writes these things.'],
  ['a', 'I will tell you who writes them. Nobody does. It comes down from above and they simply read it out.'],
  ['b', 'Now before we go on, we need to thank our producers.'],
  ['a', 'Yes. Thank you to everyone who supported this episode. You make the show possible.'],
  ['b', 'A special thanks to our executive producers this week. You know who you are.'],
  ['a', 'And now back to the story. The committee met again on Tuesday and decided absolutely nothing.'],
  ['b', 'Nothing at all? That seems to be their specialty.'],
  ['a', 'Three hours of talking, a press conference, and a report that nobody will ever read. Incredible.'],
  ['b', 'That is all the time we have today. Thanks for listening, and see you on Sunday.'],
];
const VOICES = { a: ['-v', 'en-us+m3', '-p', '40', '-s', '165'], b: ['-v', 'en-gb+m1', '-p', '60', '-s', '175', '-a', '90'] };

function readWavPcm(file) {
  const buf = fs.readFileSync(file);
  let offset = 12;
  let format = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = { channels: buf.readUInt16LE(offset + 10), rate: buf.readUInt32LE(offset + 12), bits: buf.readUInt16LE(offset + 22) };
    } else if (id === 'data') {
      // espeak-ng may leave the data size at its streaming placeholder.
      const end = Math.min(buf.length, offset + 8 + size);
      return { format, pcm: buf.subarray(offset + 8, end) };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

function makeEpisode(dir) {
  const parts = [];
  let format = null;
  LINES.forEach(([who, text], i) => {
    const wav = path.join(dir, `line${i}.wav`);
    const run = spawnSync('espeak-ng', [...VOICES[who], '-w', wav, text]);
    if (run.status !== 0) throw new Error(`espeak-ng failed: ${run.stderr}`);
    const { format: f, pcm } = readWavPcm(wav);
    format = f;
    parts.push(pcm);
    const pause_s = 0.5 + ((i * 7) % 10) / 10;  // 0.5..1.4 s, deterministic
    parts.push(Buffer.alloc(Math.round(pause_s * f.rate) * f.channels * (f.bits / 8)));
  });
  const pcm = Buffer.concat(parts);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + pcm.length, 4); header.write('WAVE', 8);
  header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20);
  header.writeUInt16LE(format.channels, 22); header.writeUInt32LE(format.rate, 24);
  header.writeUInt32LE(format.rate * format.channels * format.bits / 8, 28);
  header.writeUInt16LE(format.channels * format.bits / 8, 32); header.writeUInt16LE(format.bits, 34);
  header.write('data', 36); header.writeUInt32LE(pcm.length, 40);
  const wav = path.join(dir, 'episode.wav');
  fs.writeFileSync(wav, Buffer.concat([header, pcm]));
  const mp3 = path.join(dir, 'episode-100.mp3');
  const lame = spawnSync('lame', ['--quiet', '--resample', '44.1', '-b', '128', wav, mp3]);
  if (lame.status !== 0) throw new Error(`lame failed: ${lame.stderr}`);
  const seconds = pcm.length / (format.rate * format.channels * format.bits / 8);
  return { mp3, seconds };
}

// ---- loopback servers -----------------------------------------------------
function serveFile(file) {
  const bytes = fs.readFileSync(file);
  const name = `/${path.basename(file)}`;
  const server = http.createServer((req, res) => {
    if (req.url !== name) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    cleanups.push(() => server.close());
    resolve({ base: `http://127.0.0.1:${server.address().port}`, name });
  }));
}

async function waitForPortFile(file, child, logFile) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`namix serve exited with ${child.exitCode}; its log: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`namix serve wrote no port to ${file} within 30 s`);
}

async function waitForHealth(base, child, logFile) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`namix serve exited with ${child.exitCode}; its log: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch (err) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`namix serve did not answer ${base}/health within 30 s`);
}

async function startNamix(namix, work) {
  const portFile = path.join(work, 'port');
  const dataDir = path.join(work, 'namix-data');
  const logFile = path.join(outDir, 'namix-serve.log');
  const log = fs.openSync(logFile, 'w');
  // --port 0 --port-file: the server picks a free port itself, so no race.
  const child = spawn(path.resolve(namix), ['serve', '--host', '127.0.0.1', '--port', '0',
    '--port-file', portFile, '--data-dir', dataDir, '--allow-private-urls', '--web-dir', webDir],
  { stdio: ['ignore', log, log], env: { ...process.env, NAMIX_WEB_DIR: webDir } });
  cleanups.push(() => new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 10_000);
  }));
  const port = await waitForPortFile(portFile, child, logFile);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, logFile);
  return base;
}

// ---- the test -------------------------------------------------------------
async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'namix-browser-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));

  const episode = makeEpisode(work);
  console.log(`fixture: ${episode.seconds.toFixed(1)} s episode`);
  const files = await serveFile(episode.mp3);
  let base;
  if (args.url) {
    base = args.url.replace(/\/$/, '');
  } else {
    if (!args.namix) throw new Error('pass --namix PATH (the namix binary) or --url BASE');
    base = await startNamix(args.namix, work);
  }

  const context = await playwright.chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 1100, height: 900 },
  });
  cleanups.unshift(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  // Every job poll and submission as the page saw it, to compare with the screen.
  const apiBodies = [];
  page.on('response', async (response) => {
    if (!/\/mix\/jobs/.test(response.url())) return;
    try {
      apiBodies.push({ url: response.url(), status: response.status(), body: await response.json() });
    } catch (err) { /* not JSON */ }
  });

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

  await check('history lists the mix with its link', async () => {
    await page.waitForSelector('#history a.history-link', { timeout: 10_000 });
    const links = await page.$$eval('#history a.history-link', (els) => els.map((a) => a.getAttribute('href')));
    const key = result.download.s3_key;
    assert(links.some((l) => l === result.download.url || (key && l.includes(key.split('/').pop()))),
      `no history link for ${result.download.url}: ${links.join(', ')}`);
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

  await check('the page threw no script errors', async () => {
    assert(pageErrors.length === 0, pageErrors.join('; '));
  });
}

let code = 0;
try {
  await main();
} catch (err) {
  console.log(`FAIL setup: ${err.stack || err.message}`);
  code = 1;
} finally {
  for (const fn of cleanups) {
    try { await fn(); } catch (err) { /* best effort */ }
  }
}
const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(code || (failed > 0 || results.length === 0 ? 1 : 0));
