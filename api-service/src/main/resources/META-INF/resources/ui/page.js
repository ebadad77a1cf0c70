// The standalone page: the four components together. The token comes from the URL's fragment (#token=…&lang=cs&launch=42&view=history,
// never sent to a server; removed from the address bar at once) or the form, and is kept in memory only.
import './crm-ui.js';

const elements = () => document.querySelectorAll('crm-launch-form, crm-launch-progress, crm-launch-history, crm-activity-mail');

function useToken(token) {
  for (const el of elements()) el.token = token;
}

const LABELS = {
  en: { launch: 'Launch', history: 'History', activity: 'Activity mail', token: 'Bearer token', use: 'Use', language: 'Language', activityId: 'Activity ID', open: 'Open' },
  cs: { launch: 'Spuštění', history: 'Historie', activity: 'Pošta aktivity', token: 'Bearer token', use: 'Použít', language: 'Jazyk', activityId: 'Aktivita (ID)', open: 'Otevřít' },
};

function useLanguage(lang) {
  document.documentElement.lang = lang;
  for (const el of elements()) el.setAttribute('lang', lang);
  for (const el of document.querySelectorAll('[data-label]')) el.textContent = LABELS[lang][el.dataset.label];
}

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('lang')) document.getElementById('lang').value = fragment.get('lang');
useLanguage(document.getElementById('lang').value);
if (fragment.get('launch')) document.querySelector('crm-launch-progress').setAttribute('launch-id', fragment.get('launch'));
if (fragment.get('token')) {
  useToken(fragment.get('token'));
  history.replaceState(null, '', location.pathname + location.search);
}

document.getElementById('sign-in').addEventListener('submit', e => {
  e.preventDefault();
  useToken(document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
});
document.getElementById('lang').addEventListener('change', e => useLanguage(e.target.value));

function show(view) {
  for (const b of document.querySelectorAll('nav button')) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.id !== view;
}

for (const button of document.querySelectorAll('nav button')) {
  button.addEventListener('click', () => show(button.dataset.view));
}
if (['launch', 'history', 'activity'].includes(fragment.get('view'))) show(fragment.get('view'));

document.addEventListener('crm-launched', e => {
  document.querySelector('crm-launch-progress').setAttribute('launch-id', e.detail.id);
});

document.getElementById('activity-form').addEventListener('submit', e => {
  e.preventDefault();
  document.querySelector('crm-activity-mail').setAttribute('activity-id', document.getElementById('activity-id').value);
});
