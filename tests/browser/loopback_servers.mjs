// The servers the browser test talks to, all on loopback: a file server for
// the fixture episode, its transcript and feed, and the real `namix serve`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

// files: {'/name': {type, body}}; anything else is a 404. Returns {base, close}.
export function serveFiles(files) {
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = typeof file.body === 'function' ? file.body() : file.body;
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() });
  }));
}

function exitedWith(child, logFile) {
  return new Error(`namix serve exited with ${child.exitCode}; its log: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function waitForPortFile(file, child, logFile) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw exitedWith(child, logFile);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`namix serve wrote no port to ${file} within 30 s`);
}

async function waitForHealth(base, child, logFile) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw exitedWith(child, logFile);
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch (err) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`namix serve did not answer ${base}/health within 30 s`);
}

// The real server on a free loopback port, with --allow-private-urls so it
// fetches from serveFiles(), and `extraArgs` after those. Its log goes to
// outDir/`logName`. Returns {base, stop}.
export async function startNamix({ namix, work, outDir, webDir, extraArgs = [], logName = 'namix-serve.log' }) {
  const portFile = path.join(work, 'port');
  const dataDir = path.join(work, 'namix-data');
  const logFile = path.join(outDir, logName);
  const log = fs.openSync(logFile, 'w');
  // --port 0 --port-file: the server picks a free port itself, so no race.
  const child = spawn(path.resolve(namix), ['serve', '--host', '127.0.0.1', '--port', '0',
    '--port-file', portFile, '--data-dir', dataDir, '--allow-private-urls', '--web-dir', webDir,
    ...extraArgs],
  { stdio: ['ignore', log, log], env: { ...process.env, NAMIX_WEB_DIR: webDir } });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 10_000);
  });
  try {
    const port = await waitForPortFile(portFile, child, logFile);
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, child, logFile);
    return { base, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
