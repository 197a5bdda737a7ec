// End-to-end test of the page's "Followed shows" section in Debian's
// headless Chromium:
//
//   node subscriptions_test.mjs --namix build/src/app/namix --web-dir web --out-dir DIR
//
// A show's feed with one episode (made here with espeak-ng and lame) on a
// loopback server; the real `namix serve --subscriptions` follows it and
// mixes the episode; the page must list the subscription, its last poll,
// the mix it produced and the podcast feed URL, whose Copy button selects
// it. A server that follows nothing hides the section (checked on a page
// whose /subscriptions answers 404).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const outDir = path.resolve(args['out-dir'] || path.join(here, 'artifacts'));
const webDir = path.resolve(args['web-dir'] || path.join(here, '..', '..', 'web'));
const chromiumPath = '/usr/bin/chromium';

let playwright;
try {
  playwright = await import('playwright-core');
} catch (err) {
  console.error(`playwright-core is missing: run \`npm ci\` in ${here} (make npm does). ${err.message}`);
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

function makeEpisode(dir) {
  const wav = path.join(dir, 'episode.wav');
  const text = 'Welcome to the show. [[_^_]] We thank our producers for their donations. ' +
    'The media ran the same story on every channel. Thank you for listening, goodbye.';
  const say = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-g', '20', '-w', wav, text.repeat(3)]);
  if (say.status !== 0) throw new Error(`espeak-ng failed: ${say.stderr}`);
  const mp3 = path.join(dir, 'episode.mp3');
  const lame = spawnSync('lame', ['--quiet', '--resample', '44.1', '-b', '96', wav, mp3]);
  if (lame.status !== 0) throw new Error(`lame failed: ${lame.stderr}`);
  return fs.readFileSync(mp3);
}

function serveShow(episode) {
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    if (req.url === '/audio/ep7.mp3') {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': episode.length });
      res.end(episode);
    } else if (req.url === '/feed.xml') {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Browser Show</title>
        <link>${base}/</link><description>d</description>
        <item><title>Episode 7</title><guid>browser-show-7</guid>
        <enclosure url="${base}/audio/ep7.mp3" length="${episode.length}" type="audio/mpeg"/></item>
        </channel></rss>`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    cleanups.push(() => server.close());
    resolve(`http://127.0.0.1:${server.address().port}`);
  }));
}

async function startNamix(work, extra) {
  const portFile = path.join(work, 'port');
  const logFile = path.join(outDir, 'namix-serve-subscriptions.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(path.resolve(args.namix), ['serve', '--host', '127.0.0.1', '--port', '0',
    '--port-file', portFile, '--data-dir', path.join(work, 'data'), '--allow-private-urls',
    '--web-dir', webDir, ...extra], { stdio: ['ignore', log, log] });
  cleanups.push(() => new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 10_000);
  }));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`namix serve exited: ${fs.readFileSync(logFile, 'utf8').slice(-1500)}`);
    const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
    if (/^\d+$/.test(text)) return `http://127.0.0.1:${text}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('namix serve wrote no port within 30 s');
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'namix-subs-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
  const show = await serveShow(makeEpisode(work));
  const subscriptions = path.join(work, 'subscriptions.toml');
  fs.writeFileSync(subscriptions, `[[subscription]]
id = "browser-show"
feed_url = "${show}/feed.xml"
poll_interval = "5s"
outputs = [ { theme = "Best Of", duration = 15 } ]
`);
  const base = await startNamix(work, ['--subscriptions', subscriptions, '--min-poll-interval', '1']);
  const feedUrl = `${base}/feeds/browser-show/best-of.xml`;
  // The page shows what the API says: wait until the mix is published.
  const deadline = Date.now() + 120_000;
  let api = null;
  while (Date.now() < deadline) {
    api = await (await fetch(`${base}/subscriptions`)).json();
    if (api.subscriptions[0].outputs[0].mixes.length === 1) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert(api.subscriptions[0].outputs[0].mixes.length === 1, `no mix after 120 s: ${JSON.stringify(api)}`);

  const context = await playwright.chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
  cleanups.unshift(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${base}/`);

  await check('the section lists the subscription with its last poll', async () => {
    await page.waitForSelector('#subscriptions-section:not([hidden]) .subscription', { timeout: 10_000 });
    const heading = await page.textContent('.subscription h3');
    assert(heading.includes('Browser Show'), `heading: ${heading}`);
    const poll = await page.textContent('.subscription .sub-poll');
    assert(/Last poll: .*\((new items|no new items|not modified)\)/.test(poll), `poll line: ${poll}`);
  });

  await check('each output shows its mixes and the feed URL to copy', async () => {
    const mixes = await page.$$eval('.sub-mixes a', (as) => as.map((a) => [a.textContent, a.href]));
    assert(mixes.length === 1 && mixes[0][0] === 'Episode 7', `mixes: ${JSON.stringify(mixes)}`);
    assert(mixes[0][1].startsWith(`${base}/published/browser-show/best-of/`), `link: ${mixes[0][1]}`);
    const count = await page.textContent('.sub-count');
    assert(count.trim() === '1 mix', `count: ${count}`);
    const url = await page.inputValue('.feed-url');
    assert(url === feedUrl, `feed URL: ${url}`);
    await page.click('.copy-feed');
    const selected = await page.evaluate(() => {
      const input = document.querySelector('.feed-url');
      return input.value.slice(input.selectionStart, input.selectionEnd);
    });
    assert(selected === feedUrl, `selected: ${selected}`);
    const label = await page.textContent('.copy-feed');
    assert(label === 'Copied' || label === 'Selected', `button says ${label}`);
    const feed = await fetch(url);
    assert(feed.status === 200 && /rss\+xml/.test(feed.headers.get('content-type')), `feed: ${feed.status}`);
    await page.screenshot({ path: path.join(outDir, 'subscriptions.png'), fullPage: true });
  });

  await check('a server that follows nothing hides the section', async () => {
    await page.route('**/subscriptions', (route) => route.fulfill({
      status: 404, contentType: 'application/json',
      body: JSON.stringify({ status: 'error', error: { code: 'not_found', message: 'no route' } }),
    }));
    await page.reload();
    await page.waitForSelector('#history-heading');
    await page.waitForFunction(() => document.getElementById('subscriptions-section').hidden, null, { timeout: 5000 });
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
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(code || (passed !== results.length || results.length === 0 ? 1 : 0));
