// The iframe variant, for hosts that cannot load scripts: embed.html?view=launch-form&parent=https://erp.example&lang=cs
// (view: launch-form, launch-progress, launch-history, activity-mail; launch-id, activity-id as the components take them).
// It talks to its parent only, over postMessage, and only with the origin named in `parent`, checked on every message:
//   parent -> frame: {type: 'crm-token', token}, {type: 'crm-attributes', attributes: {'launch-id': '42'}}
//   frame -> parent: {type: 'crm-ready'}, {type: 'crm-token-request'} (the token is needed or was refused),
//                    and the components' events {type: 'crm-launched' | 'crm-launch-status' | 'crm-launch-selected' | 'crm-mail-job', detail}
import './crm-ui.js';

const VIEWS = ['launch-form', 'launch-progress', 'launch-history', 'activity-mail'];
const ATTRIBUTES = ['launch-id', 'activity-id', 'launched-by-user-id', 'lang'];
const EVENTS = ['crm-launched', 'crm-launch-status', 'crm-launch-selected', 'crm-mail-job'];

const query = new URLSearchParams(location.search);
const parentOrigin = query.get('parent');
const view = query.get('view');
const main = document.getElementById('view');
const ancestor = location.ancestorOrigins?.[0];

if (window.parent === window || !parentOrigin || !VIEWS.includes(view) || (ancestor && ancestor !== parentOrigin)) {
  main.textContent = 'This page is shown inside a frame of an allowed host, which names its own origin and a view.';
} else {
  const element = document.createElement(`crm-${view}`);
  for (const name of ATTRIBUTES) {
    if (query.get(name)) element.setAttribute(name, query.get(name));
  }
  document.documentElement.lang = query.get('lang') || 'en';
  let waiting = [];
  element.tokenProvider = () => new Promise(resolve => {
    waiting.push(resolve);
    window.parent.postMessage({ type: 'crm-token-request' }, parentOrigin);
  });
  window.addEventListener('message', event => {
    if (event.origin !== parentOrigin || event.source !== window.parent || typeof event.data !== 'object' || event.data === null) return;
    const message = event.data;
    if (message.type === 'crm-token' && typeof message.token === 'string') {
      const resolve = waiting;
      waiting = [];
      if (resolve.length) resolve.forEach(r => r(message.token)); else element.token = message.token;
    } else if (message.type === 'crm-attributes' && typeof message.attributes === 'object') {
      for (const [name, value] of Object.entries(message.attributes)) {
        if (ATTRIBUTES.includes(name)) element.setAttribute(name, String(value));
      }
    }
  });
  for (const type of EVENTS) {
    element.addEventListener(type, e => window.parent.postMessage({ type, detail: e.detail }, parentOrigin));
  }
  main.append(element);
  window.parent.postMessage({ type: 'crm-ready' }, parentOrigin);
}
