// What each browser test stands on: named checks, run in order and counted;
// clean-ups that always run, last registered first unless unshifted; and
// Debian's headless Chromium driven through playwright-core.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

// Run in order by runChecks() once the test's main() has returned or thrown.
export const cleanups = [];
const results = [];

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// One named check: its failure is reported and counted, and the next runs.
export function check(name, fn) {
  return fn().then(
    () => { results.push([name, true]); console.log(`ok   ${name}`); },
    (err) => { results.push([name, false]); console.log(`FAIL ${name}: ${err.message}`); });
}

// A fresh browser profile in `profileDir`; closed first among the clean-ups.
// Returns {context, page, pageErrors}: the page's uncaught script errors
// collect in pageErrors.
export async function openBrowser(profileDir, chromiumPath = CHROMIUM) {
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    console.error(`playwright-core is missing: run \`npm ci\` in ${here} (make npm does). ${err.message}`);
    process.exit(1);
  }
  if (!fs.existsSync(chromiumPath)) {
    console.error(`${chromiumPath} is missing: apt-get install chromium (make deps does).`);
    process.exit(1);
  }
  const context = await playwright.chromium.launchPersistentContext(profileDir, {
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
  return { context, page, pageErrors };
}

// Runs main(), then every clean-up, prints the tally and exits: 0 only when
// main() returned and every check passed.
export async function runChecks(main) {
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
}
