// End-to-end test of the page's "Followed shows" section in Debian's
// headless Chromium:
//
//   node subscriptions_test.mjs --namix build/src/app/namix --web-dir web --out-dir DIR
//
// A show's feed with one episode (made here with espeak-ng and lame) on a
// loopback server; the real `namix serve --subscriptions --api-keys` follows
// it and mixes the episode; the page must ask for the API key when the
// server refuses it, keep it once typed in, and list the subscription, its last poll,
// the mix it produced and the podcast feed URL, whose Copy button selects
// it. A server that follows nothing hides the section (checked on a page
// whose /subscriptions answers 404).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { assert, check, cleanups, openBrowser, runChecks } from './harness.mjs';
import { startNamix } from './loopback_servers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const outDir = path.resolve(args['out-dir'] || path.join(here, 'artifacts'));
const webDir = path.resolve(args['web-dir'] || path.join(here, '..', '..', 'web'));
const API_KEY = 'browser-test-key-1';

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
  const keys = path.join(work, 'api-keys');
  fs.writeFileSync(keys, `${API_KEY}\n`);
  const namix = await startNamix({
    namix: args.namix, work, outDir, webDir, logName: 'namix-serve-subscriptions.log',
    extraArgs: ['--subscriptions', subscriptions, '--min-poll-interval', '1', '--api-keys', keys],
  });
  cleanups.push(namix.stop);
  const { base } = namix;
  const feedUrl = `${base}/feeds/browser-show/best-of.xml`;
  // The page shows what the API says: wait until the mix is published.
  const deadline = Date.now() + 120_000;
  let api = null;
  while (Date.now() < deadline) {
    api = await (await fetch(`${base}/subscriptions`, { headers: { 'x-api-key': API_KEY } })).json();
    if (api.subscriptions[0].outputs[0].mixes.length === 1) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert(api.subscriptions[0].outputs[0].mixes.length === 1, `no mix after 120 s: ${JSON.stringify(api)}`);

  const { page, pageErrors } = await openBrowser(path.join(work, 'profile'));
  await page.goto(`${base}/`);

  await check('a server with API keys gets one typed in once, and keeps it', async () => {
    await page.waitForSelector('#api-key-box[open] #api-key-reason:not([hidden])', { timeout: 10_000 });
    const reason = await page.textContent('#api-key-reason');
    assert(reason.includes('needs an API key'), `reason: ${reason}`);
    const history = await page.textContent('#history-error');
    assert(history.includes('API key'), `history says: ${history}`);
    await page.fill('#api-key', 'not-the-key');
    await page.click('#api-key-form button[type=submit]');
    await page.waitForFunction(() => /not valid/.test(document.getElementById('api-key-reason').textContent)
      && !document.getElementById('api-key-reason').hidden, null, { timeout: 10_000 });
    await page.fill('#api-key', API_KEY);
    await page.click('#api-key-form button[type=submit]');
    await page.waitForSelector('#subscriptions-section:not([hidden]) .subscription', { timeout: 10_000 });
    await page.waitForSelector('#history-error[hidden]', { state: 'attached', timeout: 10_000 });
    await page.reload();
    await page.waitForSelector('#subscriptions-section:not([hidden]) .subscription', { timeout: 10_000 });
    assert(await page.isHidden('#api-key-reason'), 'asked for the key again after a reload');
  });

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

await runChecks(main);
