// Drives Debian's headless Chromium over the DevTools protocol (Node's WebSocket; node --experimental-websocket on
// Node 20): opens each URL given, and prints, per URL, the milliseconds from navigation start until the history's
// table shows its first rows (ROWS of them, or the empty note), as measured by the page's own clock.
// Usage: node --experimental-websocket bench/ui-render.mjs ROWS URL...
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [rows, ...urls] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'ui-bench-'));
const chrome = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-port=0',
  `--user-data-dir=${dir}`, 'about:blank'], { stdio: 'ignore' });
const sleep = ms => new Promise(r => setTimeout(r, ms));

try {
  let port;
  for (let i = 0; i < 200 && !port; i++) {
    if (existsSync(join(dir, 'DevToolsActivePort'))) port = readFileSync(join(dir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
    else await sleep(50);
  }
  const page = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()).find(t => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let next = 0;
  const waiting = new Map();
  ws.onmessage = m => { const msg = JSON.parse(m.data); waiting.get(msg.id)?.(msg); waiting.delete(msg.id); };
  const call = (method, params = {}) => new Promise(resolve => { const id = ++next; waiting.set(id, resolve); ws.send(JSON.stringify({ id, method, params })); });
  await call('Page.enable');
  // Each frame, from the first script on: the moment the table has its rows is written down by the page itself.
  await call('Page.addScriptToEvaluateOnNewDocument', { source: `(() => {
    const look = () => {
      const root = document.querySelector('crm-launch-history')?.shadowRoot;
      const n = root ? root.querySelectorAll('#launches tbody tr').length : 0;
      if (n >= ${Number(rows)} || (root && root.querySelector('#empty') && !root.querySelector('#empty').hidden)) { window.__rendered = performance.now(); return; }
      requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  })();` });
  for (const url of urls) {
    await call('Page.navigate', { url: 'about:blank' });
    await call('Page.navigate', { url });
    let ms = null;
    for (let i = 0; i < 600 && ms === null; i++) {
      await sleep(25);
      ms = (await call('Runtime.evaluate', { expression: 'window.__rendered ?? null', returnByValue: true })).result?.result?.value ?? null;
    }
    console.log(ms === null ? 'timeout' : ms.toFixed(0));
  }
  ws.close();
} finally {
  chrome.kill();
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
