// CRM Bulk Activities web components: plain custom elements, no framework, no build step.
// The host gives each element a bearer token (property `token`) or a function that returns one (`tokenProvider`,
// called again once when the API answers 401); no cookie is ever sent. The API is the origin this script came from,
// unless the `api-base` attribute names another. Language: the `lang` attribute (cs or en).

const STRINGS = {
  en: {
    action: 'Bulk action', chooseAction: 'Choose a bulk action', lists: 'Marketing lists', members: n => `${n} members`,
    preview: 'Preview', previewFor: 'Preview for contact ID', previewEmpty: 'empty merge fields when left blank',
    subject: 'Subject', when: 'When', now: 'Now', at: 'At', launch: 'Launch', launching: 'Launching…',
    launchedBy: 'Launched by user ID', launched: id => `Launch ${id} accepted.`, readOnly: 'You can look, but your role cannot launch.',
    noLists: 'Choose at least one list.', noAction: 'Choose a bulk action.', noTime: 'Choose the time to launch at.',
    progress: id => `Launch ${id}`, status: 'Status', rate: 'Rate', perSecond: r => `${r} messages/s`, pauseReason: 'Paused because',
    pause: 'Pause', resume: 'Resume', cancel: 'Cancel', confirmCancel: 'Cancel this launch? Messages not yet sent will not be sent.',
    total: 'Total', pending: 'Pending', sent: 'Sent', failed: 'Failed', skipped: 'Skipped', cancelled: 'Cancelled',
    bounced: 'Bounced', complained: 'Complained', connecting: 'Connecting…', reconnecting: 'Connection lost, reconnecting…',
    history: 'Launch history', filter: 'Filter', anyStatus: 'Any status', from: 'From', to: 'To', more: 'Load more',
    id: 'ID', created: 'Created', open: id => `Open launch ${id}`, noLaunches: 'No launch matches.', deliveries: 'Deliveries',
    email: 'Address', reply: 'Reply or reason', bounce: 'Bounce', attempts: 'Attempts', exportCsv: 'Export CSV', content: 'Content sent',
    fromAddress: 'From', text: 'Text', close: 'Close', loading: 'Loading…', launchesOf: 'launches', listsCol: 'Lists',
    mailTasks: 'Mail of activity', task: 'Task', mode: 'Mode', run: 'Send', openMailto: (i, n) => n > 1 ? `Open in mail client (${i}/${n})` : 'Open in mail client',
    downloadEml: 'Download .eml', mailLog: 'Mail log', recipients: 'Recipients', drafted: 'Draft ready: nothing was sent.',
    queued: id => `Mail job ${id} queued.`, signIn: 'Bearer token', use: 'Use', language: 'Language',
    tasks: {
      'orsoft.o.crm.Ohakt.posliMailNaVedomi': 'To those in copy', 'orsoft.o.crm.Ohakt.posliMailKontaktu': 'To the contact',
      'orsoft.o.crm.Ohakt.posliMailZodpovednym': 'To those responsible', 'orsoft.o.crm.Ohakt.posliMailUcastnikum': 'To the participants',
      'orsoft.o.crm.Ohakt.posliMailUcastnikumAZodpovednym': 'To participants and those responsible',
    },
    modes: { INDIVIDUAL: 'one message each', BULK: 'one message to all', CLIENT: 'in your mail client' },
    statuses: {
      SCHEDULED: 'Scheduled', QUEUED: 'Queued', RUNNING: 'Running', PAUSED: 'Paused', COMPLETED: 'Completed',
      COMPLETED_WITH_ERRORS: 'Completed with errors', CANCELLED: 'Cancelled',
    },
    // Deliveries' and mail jobs' statuses (one table: the names they share mean the same).
    outcomes: {
      PENDING: 'Pending', SENDING: 'Sending', SENT: 'Sent', FAILED: 'Failed', SKIPPED: 'Skipped', CANCELLED: 'Cancelled',
      DRAFTED: 'Drafted', QUEUED: 'Queued', DONE: 'Done', DONE_WITH_ERRORS: 'Done with errors',
    },
  },
  cs: {
    action: 'Hromadná akce', chooseAction: 'Vyberte hromadnou akci', lists: 'Marketingové seznamy', members: n => `${n} členů`,
    preview: 'Náhled', previewFor: 'Náhled pro kontakt (ID)', previewEmpty: 'prázdná slučovací pole, když je nevyplníte',
    subject: 'Předmět', when: 'Kdy', now: 'Hned', at: 'V čase', launch: 'Spustit', launching: 'Spouštím…',
    launchedBy: 'Spustil uživatel (ID)', launched: id => `Spuštění ${id} přijato.`, readOnly: 'Můžete se dívat, ale vaše role nemůže spouštět.',
    noLists: 'Vyberte aspoň jeden seznam.', noAction: 'Vyberte hromadnou akci.', noTime: 'Vyberte čas spuštění.',
    progress: id => `Spuštění ${id}`, status: 'Stav', rate: 'Rychlost', perSecond: r => `${r} zpráv/s`, pauseReason: 'Pozastaveno, protože',
    pause: 'Pozastavit', resume: 'Pokračovat', cancel: 'Zrušit', confirmCancel: 'Zrušit toto spuštění? Dosud neodeslané zprávy se neodešlou.',
    total: 'Celkem', pending: 'Čeká', sent: 'Odesláno', failed: 'Selhalo', skipped: 'Přeskočeno', cancelled: 'Zrušeno',
    bounced: 'Vráceno', complained: 'Stížnosti', connecting: 'Připojuji…', reconnecting: 'Spojení ztraceno, připojuji znovu…',
    history: 'Historie spuštění', filter: 'Filtrovat', anyStatus: 'Jakýkoli stav', from: 'Od', to: 'Do', more: 'Načíst další',
    id: 'ID', created: 'Vytvořeno', open: id => `Otevřít spuštění ${id}`, noLaunches: 'Žádné spuštění neodpovídá.', deliveries: 'Doručení',
    email: 'Adresa', reply: 'Odpověď nebo důvod', bounce: 'Vrácení', attempts: 'Pokusy', exportCsv: 'Export CSV', content: 'Odeslaný obsah',
    fromAddress: 'Od', text: 'Text', close: 'Zavřít', loading: 'Načítám…', launchesOf: 'spuštění', listsCol: 'Seznamy',
    mailTasks: 'Pošta aktivity', task: 'Úloha', mode: 'Režim', run: 'Odeslat', openMailto: (i, n) => n > 1 ? `Otevřít v poštovním klientu (${i}/${n})` : 'Otevřít v poštovním klientu',
    downloadEml: 'Stáhnout .eml', mailLog: 'Záznam pošty', recipients: 'Příjemci', drafted: 'Koncept připraven: nic nebylo odesláno.',
    queued: id => `Poštovní úloha ${id} zařazena.`, signIn: 'Bearer token', use: 'Použít', language: 'Jazyk',
    tasks: {
      'orsoft.o.crm.Ohakt.posliMailNaVedomi': 'Na vědomí', 'orsoft.o.crm.Ohakt.posliMailKontaktu': 'Kontaktu',
      'orsoft.o.crm.Ohakt.posliMailZodpovednym': 'Zodpovědným', 'orsoft.o.crm.Ohakt.posliMailUcastnikum': 'Účastníkům',
      'orsoft.o.crm.Ohakt.posliMailUcastnikumAZodpovednym': 'Účastníkům a zodpovědným',
    },
    modes: { INDIVIDUAL: 'každému zvlášť', BULK: 'jedna zpráva všem', CLIENT: 've vašem poštovním klientu' },
    statuses: {
      SCHEDULED: 'Naplánováno', QUEUED: 'Ve frontě', RUNNING: 'Běží', PAUSED: 'Pozastaveno', COMPLETED: 'Dokončeno',
      COMPLETED_WITH_ERRORS: 'Dokončeno s chybami', CANCELLED: 'Zrušeno',
    },
    outcomes: {
      PENDING: 'Čeká', SENDING: 'Odesílá se', SENT: 'Odesláno', FAILED: 'Selhalo', SKIPPED: 'Přeskočeno', CANCELLED: 'Zrušeno',
      DRAFTED: 'Koncept', QUEUED: 'Ve frontě', DONE: 'Hotovo', DONE_WITH_ERRORS: 'Hotovo s chybami',
    },
  },
};

const FINAL = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'CANCELLED']);
const MANAGER = 'campaign-manager';
const API_BASE = new URL('../', import.meta.url).href.replace(/\/$/, '');

const CSS = `
:host { display: block; font: 15px/1.45 system-ui, sans-serif; color: #1a1a1a; }
* { box-sizing: border-box; }
h2 { font-size: 1.15em; margin: 0 0 .6em; }
h3 { font-size: 1em; margin: 1em 0 .4em; }
label, legend { font-weight: 600; }
fieldset { border: 1px solid #8a8a8a; border-radius: 4px; margin: 0 0 .8em; padding: .5em .8em; }
input, select, button { font: inherit; }
input, select { border: 1px solid #6b6b6b; border-radius: 3px; padding: .25em .4em; background: #fff; color: #1a1a1a; }
button { border: 1px solid #0b4f94; border-radius: 3px; padding: .35em .9em; background: #0b5cad; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #0b4f94; }
button.danger { background: #a61b1b; border-color: #8c1616; }
button:disabled { background: #d9d9d9; border-color: #8a8a8a; color: #3d3d3d; cursor: default; }
:focus-visible { outline: 3px solid #c25400; outline-offset: 2px; }
.row { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; margin: 0 0 .6em; }
.error { color: #a61b1b; font-weight: 600; }
.note { color: #3d3d3d; }
.ok { color: #1b6b2f; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
caption { text-align: left; font-weight: 600; padding: .2em 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #c4c4c4; vertical-align: top; }
th { background: #f0f0f0; }
pre { white-space: pre-wrap; background: #f6f6f6; border: 1px solid #c4c4c4; padding: .5em; margin: .3em 0; max-height: 20em; overflow: auto; }
iframe { width: 100%; height: 18em; border: 1px solid #c4c4c4; background: #fff; }
.bar { height: 1.1em; background: #e3e3e3; border-radius: 3px; overflow: hidden; border: 1px solid #8a8a8a; }
.bar > div { height: 100%; background: #1b6b2f; width: 0; transition: width .3s; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; margin: .5em 0; }
dt { font-weight: 600; } dd { margin: 0; }
`;

/** Escapes text for HTML (content and quoted attributes). */
function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A random UUID, also where crypto.randomUUID is missing (plain-http origins). */
function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An API error with the problem+json the service answered (RFC 7807), readable as one line. */
class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors || []).map(e => `${e.field}: ${e.reason}`).join('; ');
    super([problem?.title || `HTTP ${status}`, problem?.detail, fields].filter(Boolean).join(' — '));
    this.status = status;
    this.problem = problem;
  }
}

/** What every element shares: language, token handling, calls to the API. */
class CrmElement extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._token = null;
    this._tokenProvider = null;
  }

  static get observedAttributes() { return ['lang', 'api-base']; }

  attributeChangedCallback() { if (this.isConnected) this.refresh(); }

  connectedCallback() {
    for (const p of ['token', 'tokenProvider']) { // set on the element before this script defined it
      if (Object.prototype.hasOwnProperty.call(this, p)) { const v = this[p]; delete this[p]; this[`_${p}`] = v; }
    }
    this.refresh();
  }

  get token() { return this._token; }
  set token(value) { this._token = value || null; if (this.isConnected) this.refresh(); }
  get tokenProvider() { return this._tokenProvider; }
  set tokenProvider(fn) { this._tokenProvider = typeof fn === 'function' ? fn : null; if (this.isConnected) this.refresh(); }

  get apiBase() { return (this.getAttribute('api-base') || API_BASE).replace(/\/$/, ''); }

  get strings() {
    const lang = (this.getAttribute('lang') || this.closest('[lang]')?.getAttribute('lang') || 'en').toLowerCase();
    return STRINGS[lang.startsWith('cs') ? 'cs' : 'en'];
  }

  get hasToken() { return Boolean(this._token || this._tokenProvider); }

  async accessToken(renew) {
    if (this._tokenProvider && (renew || !this._token)) this._token = await this._tokenProvider();
    return this._token;
  }

  /** The caller's roles, from the token's groups claim (the service checks them again; this only hides what would fail). */
  get roles() {
    try {
      const payload = this._token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return new Set(JSON.parse(decodeURIComponent(escape(atob(payload)))).groups || []);
    } catch (e) {
      return new Set();
    }
  }

  get canManage() { return this.roles.has(MANAGER); }

  async api(path, { method = 'GET', body, headers = {}, raw = false, signal } = {}) {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const h = { Accept: 'application/json', ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      if (body !== undefined) h['Content-Type'] = 'application/json';
      const res = await fetch(this.apiBase + path, {
        method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', signal,
      });
      if (res.status === 401 && attempt === 0 && this._tokenProvider) continue;
      if (!res.ok) {
        let problem = null;
        try { problem = await res.json(); } catch (e) { /* not JSON */ }
        throw new ApiError(res.status, problem);
      }
      if (raw) return res;
      return res.status === 204 ? null : res.json();
    }
  }

  /** Saves what a GET answers as a file (a plain link could not carry the bearer token). */
  async download(path, filename, accept) {
    const res = await this.api(path, { raw: true, headers: { Accept: accept } });
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    this.shadowRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true })); }

  render(html) { this.shadowRoot.innerHTML = `<style>${CSS}</style>${html}`; }

  $(selector) { return this.shadowRoot.querySelector(selector); }

  refresh() {}
}

/** Launch form: a bulk action (with a preview for one contact), lists with member counts, now or at a time. */
class CrmLaunchForm extends CrmElement {
  static get observedAttributes() { return [...super.observedAttributes, 'launched-by-user-id']; }

  async refresh() {
    const s = this.strings;
    if (!this.hasToken) return this.render('');
    this.render(`<p class="note">${esc(s.loading)}</p>`);
    try {
      const [actions, lists] = await Promise.all([this.api('/api/v1/bulk-actions?limit=1000'), this.api('/api/v1/lists?limit=1000')]);
      this._actions = actions.items;
      this._lists = lists.items;
    } catch (e) {
      return this.render(`<p class="error" role="alert">${esc(e.message)}</p>`);
    }
    this._key = null;
    const manager = this.canManage;
    this.render(`
      <form novalidate aria-labelledby="t">
        <h2 id="t">${esc(s.launch)}</h2>
        <div class="row">
          <label for="action">${esc(s.action)}</label>
          <select id="action" name="action" required>
            <option value="">${esc(s.chooseAction)}</option>
            ${this._actions.map(a => `<option value="${a.id}">${esc(a.name || a.subject)} (#${a.id})</option>`).join('')}
          </select>
        </div>
        <details id="preview-box">
          <summary>${esc(s.preview)}</summary>
          <div class="row">
            <label for="contact">${esc(s.previewFor)}</label>
            <input id="contact" type="number" min="1" inputmode="numeric" aria-describedby="contact-note">
            <span id="contact-note" class="note">${esc(s.previewEmpty)}</span>
            <button type="button" class="secondary" id="preview">${esc(s.preview)}</button>
          </div>
          <div id="preview-out" aria-live="polite"></div>
        </details>
        <fieldset>
          <legend>${esc(s.lists)}</legend>
          ${this._lists.map(l => `<div><input type="checkbox" name="list" id="list-${l.id}" value="${l.id}">
            <label for="list-${l.id}">${esc(l.name)}</label> <span class="note">(${esc(s.members(l.memberCount))})</span></div>`).join('')}
        </fieldset>
        <fieldset>
          <legend>${esc(s.when)}</legend>
          <div class="row">
            <input type="radio" name="when" id="when-now" value="now" checked><label for="when-now">${esc(s.now)}</label>
            <input type="radio" name="when" id="when-at" value="at"><label for="when-at">${esc(s.at)}</label>
            <input type="datetime-local" id="at" aria-label="${esc(s.at)}">
          </div>
        </fieldset>
        ${manager ? `<div class="row"><button type="submit" id="launch">${esc(s.launch)}</button></div>` : `<p class="note" id="read-only">${esc(s.readOnly)}</p>`}
        <div id="result" role="status" aria-live="polite"></div>
      </form>`);
    const form = this.$('form');
    form.addEventListener('change', () => { this._key = null; }); // another body needs another key
    form.addEventListener('submit', e => { e.preventDefault(); this.launch(); });
    this.$('#preview').addEventListener('click', () => this.preview());
  }

  async preview() {
    const s = this.strings;
    const out = this.$('#preview-out');
    const action = this.$('#action').value;
    if (!action) { out.innerHTML = `<p class="error">${esc(s.noAction)}</p>`; return; }
    const contact = this.$('#contact').value;
    try {
      const p = await this.api(`/api/v1/bulk-actions/${action}/preview`, { method: 'POST', body: contact ? { contactId: Number(contact) } : {} });
      out.innerHTML = `<dl><dt>${esc(s.subject)}</dt><dd id="preview-subject">${esc(p.subject)}</dd></dl>
        ${p.html ? `<iframe sandbox title="${esc(s.preview)}"></iframe>` : ''}<pre id="preview-text">${esc(p.text)}</pre>`;
      if (p.html) out.querySelector('iframe').srcdoc = p.html;
    } catch (e) {
      out.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    }
  }

  async launch() {
    const s = this.strings;
    const result = this.$('#result');
    const button = this.$('#launch');
    const bulkActionId = Number(this.$('#action').value);
    const listIds = [...this.shadowRoot.querySelectorAll('input[name=list]:checked')].map(i => Number(i.value));
    const at = this.$('#when-at').checked ? this.$('#at').value : null;
    const problem = !bulkActionId ? s.noAction : !listIds.length ? s.noLists : this.$('#when-at').checked && !at ? s.noTime : null;
    if (problem) { result.innerHTML = `<p class="error" role="alert">${esc(problem)}</p>`; return; }
    const body = { bulkActionId, listIds };
    if (at) body.scheduledAt = new Date(at).toISOString();
    const by = this.getAttribute('launched-by-user-id');
    if (by) body.launchedByUserId = Number(by);
    this._key = this._key || uuid(); // kept until the form changes: a retry, a double click, a click after success launch once
    button.disabled = true;
    button.textContent = s.launching;
    try {
      const launch = await this.api('/api/v1/launches', { method: 'POST', body, headers: { 'Idempotency-Key': this._key } });
      result.innerHTML = `<p class="ok">${esc(s.launched(launch.id))}</p>`;
      this.emit('crm-launched', launch);
    } catch (e) {
      if (e.status && e.status < 500 && e.status !== 429) this._key = null;
      result.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    } finally {
      button.disabled = false;
      button.textContent = s.launch;
    }
  }
}

/** Live progress of one launch from its server-sent events; pause, resume and cancel for those who may. */
class CrmLaunchProgress extends CrmElement {
  static get observedAttributes() { return [...super.observedAttributes, 'launch-id']; }

  disconnectedCallback() { this._abort?.abort(); }

  refresh() {
    this._abort?.abort();
    const id = this.getAttribute('launch-id');
    if (!id || !this.hasToken) return this.render('');
    this._samples = [];
    this._launch = null;
    this.show(this.strings.connecting);
    const abort = new AbortController();
    this._abort = abort;
    this.follow(id, abort.signal);
  }

  async follow(id, signal) {
    while (!signal.aborted) {
      try {
        const res = await this.api(`/api/v1/launches/${encodeURIComponent(id)}/events`, { raw: true, signal, headers: { Accept: 'text/event-stream' } });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const data = buffer.slice(0, end).split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).replace(/^ /, '')).join('\n');
            buffer = buffer.slice(end + 2);
            if (data) this.update(JSON.parse(data));
          }
        }
        if (this._launch && FINAL.has(this._launch.status)) return;
      } catch (e) {
        if (signal.aborted) return;
        if (e.status === 403 || e.status === 404 || e.status === 400) { this.show(null, e.message); return; }
      }
      if (signal.aborted) return;
      this.show(this.strings.reconnecting);
      await new Promise(r => setTimeout(r, 1500));
    }
  }

  update(launch) {
    const before = this._launch?.status;
    this._launch = launch;
    const now = performance.now();
    this._samples.push([now, launch.counters.sent]);
    while (this._samples.length > 2 && now - this._samples[0][0] > 5000) this._samples.shift();
    this.show();
    if (before !== launch.status) this.emit('crm-launch-status', { id: launch.id, status: launch.status, pauseReason: launch.pauseReason });
  }

  rate() {
    const [first, last] = [this._samples[0], this._samples[this._samples.length - 1]];
    if (!first || last[0] - first[0] < 500) return 0;
    return Math.round(((last[1] - first[1]) * 1000) / (last[0] - first[0]));
  }

  show(note, error) {
    const s = this.strings;
    const l = this._launch;
    const id = this.getAttribute('launch-id');
    if (!l) {
      this.render(`<section aria-labelledby="t"><h2 id="t">${esc(s.progress(id))}</h2>
        ${error ? `<p class="error" role="alert">${esc(error)}</p>` : `<p class="note" role="status">${esc(note)}</p>`}</section>`);
      return;
    }
    const focused = this.shadowRoot.activeElement?.id; // each event redraws: a keyboard user keeps their place
    const c = l.counters;
    const done = c.total ? Math.round(((c.total - c.pending) * 100) / c.total) : 0;
    const final = FINAL.has(l.status);
    const manager = this.canManage;
    const buttons = manager && !final ? `<div class="row">
        ${l.status === 'PAUSED' ? `<button type="button" id="resume">${esc(s.resume)}</button>` : `<button type="button" id="pause" class="secondary">${esc(s.pause)}</button>`}
        <button type="button" id="cancel" class="danger">${esc(s.cancel)}</button></div>` : '';
    this.render(`<section aria-labelledby="t"><h2 id="t">${esc(s.progress(l.id))}</h2>
      <dl>
        <dt>${esc(s.status)}</dt><dd><span id="status" data-status="${esc(l.status)}" role="status">${esc(s.statuses[l.status] || l.status)}</span></dd>
        ${l.pauseReason ? `<dt>${esc(s.pauseReason)}</dt><dd id="pause-reason">${esc(l.pauseReason)}</dd>` : ''}
        <dt>${esc(s.rate)}</dt><dd id="rate">${esc(s.perSecond(final ? 0 : this.rate()))}</dd>
      </dl>
      <div class="bar" role="progressbar" aria-label="${esc(s.progress(l.id))}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${done}"><div style="width:${done}%"></div></div>
      <table><caption>${esc(s.deliveries)}</caption><tbody>
        ${['total', 'pending', 'sent', 'failed', 'skipped', 'cancelled', 'bounced', 'complained']
          .map(k => `<tr><th scope="row">${esc(s[k])}</th><td data-counter="${k}">${c[k] ?? 0}</td></tr>`).join('')}
      </tbody></table>
      ${buttons}
      ${note ? `<p class="note">${esc(note)}</p>` : ''}${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
    </section>`);
    for (const verb of ['pause', 'resume', 'cancel']) {
      this.$(`#${verb}`)?.addEventListener('click', () => this.act(verb));
    }
    if (focused) this.$(`#${focused}`)?.focus();
  }

  async act(verb) {
    if (verb === 'cancel' && !confirm(this.strings.confirmCancel)) return;
    try {
      this.update(await this.api(`/api/v1/launches/${this._launch.id}/${verb}`, { method: 'POST' }));
    } catch (e) {
      this.show(null, e.message);
    }
  }
}

/** The history: launches by filter in keyset pages; one launch's deliveries, the content it sent, a CSV export. */
class CrmLaunchHistory extends CrmElement {
  async refresh() {
    const s = this.strings;
    if (!this.hasToken) return this.render('');
    this.render(`<section aria-labelledby="t"><h2 id="t">${esc(s.history)}</h2>
      <form class="row" id="filter" aria-label="${esc(s.filter)}">
        <label for="status">${esc(s.status)}</label>
        <select id="status"><option value="">${esc(s.anyStatus)}</option>
          ${Object.keys(s.statuses).map(k => `<option value="${k}">${esc(s.statuses[k])}</option>`).join('')}</select>
        <label for="action">${esc(s.action)} (ID)</label><input id="action" type="number" min="1" inputmode="numeric" size="6">
        <label for="from">${esc(s.from)}</label><input id="from" type="date">
        <label for="to">${esc(s.to)}</label><input id="to" type="date">
        <button type="submit">${esc(s.filter)}</button>
      </form>
      <table id="launches"><caption class="sr-only">${esc(s.history)}</caption>
        <thead><tr><th scope="col">${esc(s.id)}</th><th scope="col">${esc(s.action)}</th><th scope="col">${esc(s.listsCol)}</th>
          <th scope="col">${esc(s.status)}</th><th scope="col">${esc(s.sent)} / ${esc(s.total)}</th><th scope="col">${esc(s.created)}</th></tr></thead>
        <tbody></tbody></table>
      <p id="empty" class="note" hidden>${esc(s.noLaunches)}</p>
      <div class="row"><button type="button" class="secondary" id="more" hidden>${esc(s.more)}</button></div>
      <p id="error" class="error" role="alert"></p>
      <div id="detail"></div>
    </section>`);
    this.$('#filter').addEventListener('submit', e => { e.preventDefault(); this.page(true); });
    this.$('#more').addEventListener('click', () => this.page(false));
    this.$('#launches tbody').addEventListener('click', e => {
      const b = e.target.closest('button[data-launch]');
      if (b) this.open(b.dataset.launch);
    });
    await this.page(true);
  }

  async page(first) {
    const q = new URLSearchParams({ limit: '50' });
    const v = id => this.$(id).value;
    if (v('#status')) q.set('status', v('#status'));
    if (v('#action')) q.set('bulkActionId', v('#action'));
    if (v('#from')) q.set('from', new Date(`${v('#from')}T00:00:00`).toISOString());
    if (v('#to')) q.set('to', new Date(new Date(`${v('#to')}T00:00:00`).getTime() + 86_400_000).toISOString());
    if (!first && this._before) q.set('before', this._before);
    const s = this.strings;
    try {
      const page = await this.api(`/api/v1/launches?${q}`);
      const body = this.$('#launches tbody');
      const rows = page.items.map(l => `<tr>
        <td><button type="button" class="secondary" data-launch="${l.id}" aria-label="${esc(s.open(l.id))}">${l.id}</button></td>
        <td>${l.bulkActionId}</td><td>${esc((l.lists || []).map(x => x.name ?? `#${x.id}`).join(', '))}</td>
        <td>${esc(s.statuses[l.status] || l.status)}</td><td>${l.counters.sent} / ${l.counters.total}</td>
        <td>${esc(new Date(l.createdAt).toLocaleString(this.strings === STRINGS.cs ? 'cs-CZ' : 'en-GB'))}</td></tr>`).join('');
      if (first) body.innerHTML = rows; else body.insertAdjacentHTML('beforeend', rows);
      this._before = page.nextBefore;
      this.$('#more').hidden = !page.nextBefore;
      this.$('#empty').hidden = body.children.length > 0;
      this.$('#error').textContent = '';
    } catch (e) {
      this.$('#error').textContent = e.message;
    }
  }

  async open(id) {
    const s = this.strings;
    const detail = this.$('#detail');
    detail.innerHTML = `<p class="note">${esc(s.loading)}</p>`;
    try {
      const [launch, content] = await Promise.all([this.api(`/api/v1/launches/${id}`), this.api(`/api/v1/launches/${id}/content`)]);
      detail.innerHTML = `<section aria-labelledby="d"><h3 id="d">${esc(s.progress(id))}: ${esc(s.statuses[launch.status] || launch.status)}</h3>
        <div class="row"><button type="button" id="csv">${esc(s.exportCsv)}</button><button type="button" class="secondary" id="close">${esc(s.close)}</button></div>
        <h3>${esc(s.content)}</h3>
        <dl id="content"><dt>${esc(s.fromAddress)}</dt><dd>${esc(content.fromName ? `${content.fromName} <${content.from}>` : content.from)}</dd>
          <dt>${esc(s.subject)}</dt><dd id="content-subject">${esc(content.subject)}</dd></dl>
        ${content.textBody ? `<pre id="content-text">${esc(content.textBody)}</pre>` : ''}
        ${content.htmlBody ? `<iframe sandbox title="${esc(s.content)}"></iframe>` : ''}
        <table id="deliveries"><caption>${esc(s.deliveries)}</caption>
          <thead><tr><th scope="col">${esc(s.email)}</th><th scope="col">${esc(s.status)}</th><th scope="col">${esc(s.attempts)}</th>
            <th scope="col">${esc(s.reply)}</th><th scope="col">${esc(s.bounce)}</th></tr></thead><tbody></tbody></table>
        <div class="row"><button type="button" class="secondary" id="more-deliveries" hidden>${esc(s.more)}</button></div>
      </section>`;
      if (content.htmlBody) detail.querySelector('iframe').srcdoc = content.htmlBody;
      this._launchId = id;
      this._after = null;
      this.$('#csv').addEventListener('click', () => this.download(`/api/v1/launches/${id}/deliveries.csv`, `launch-${id}-deliveries.csv`, 'text/csv')
        .catch(e => { this.$('#error').textContent = e.message; }));
      this.$('#close').addEventListener('click', () => { detail.innerHTML = ''; });
      this.$('#more-deliveries').addEventListener('click', () => this.deliveries());
      await this.deliveries();
      this.emit('crm-launch-selected', launch);
    } catch (e) {
      detail.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    }
  }

  async deliveries() {
    const q = new URLSearchParams({ limit: '100' });
    if (this._after) q.set('after', this._after);
    const page = await this.api(`/api/v1/launches/${this._launchId}/deliveries?${q}`);
    const s = this.strings;
    this.$('#deliveries tbody').insertAdjacentHTML('beforeend', page.items.map(d => `<tr>
      <td>${esc(d.email)}</td><td data-status="${esc(d.status)}">${esc(s.outcomes[d.status] || d.status)}</td><td>${d.attempts}</td><td>${esc(d.lastReply)}</td>
      <td>${esc([d.bounce, d.bounceDiagnostic, d.complainedAt ? s.complained : ''].filter(Boolean).join(' '))}</td></tr>`).join(''));
    this._after = page.nextAfter;
    this.$('#more-deliveries').hidden = !page.nextAfter;
  }
}

const TASKS = Object.keys(STRINGS.en.tasks);

/** An activity's five mail tasks, each in the mode codebook OMAILUL gives it; CLIENT mode hands over mailto: links and an .eml. */
class CrmActivityMail extends CrmElement {
  static get observedAttributes() { return [...super.observedAttributes, 'activity-id']; }

  async refresh() {
    const s = this.strings;
    const id = this.getAttribute('activity-id');
    if (!id || !this.hasToken) return this.render('');
    this.render(`<p class="note">${esc(s.loading)}</p>`);
    let modes;
    try {
      const entries = await this.api('/api/v1/codebooks/OMAILUL/entries');
      modes = Object.fromEntries(entries.map(e => [e.key, e.value]));
    } catch (e) {
      return this.render(`<p class="error" role="alert">${esc(e.message)}</p>`);
    }
    const mode = task => ({ 0: 'BULK', 1: 'CLIENT' })[(modes[task] ?? '').trim()] || 'INDIVIDUAL';
    const manager = this.canManage;
    this.render(`<section aria-labelledby="t"><h2 id="t">${esc(s.mailTasks)}</h2>
      <table id="tasks"><caption class="sr-only">${esc(s.mailTasks)}</caption>
        <thead><tr><th scope="col">${esc(s.task)}</th><th scope="col">${esc(s.mode)}</th>${manager ? '<th scope="col"><span hidden>-</span></th>' : ''}</tr></thead>
        <tbody>${TASKS.map(t => `<tr data-task="${t}" data-mode="${mode(t)}"><th scope="row">${esc(s.tasks[t])}</th>
          <td>${esc(mode(t))} — ${esc(s.modes[mode(t)])}</td>
          ${manager ? `<td><button type="button" data-run="${t}" aria-label="${esc(`${s.run}: ${s.tasks[t]}`)}">${esc(s.run)}</button></td>` : ''}</tr>`).join('')}
        </tbody></table>
      <div id="result" role="status" aria-live="polite"></div>
      <h3>${esc(s.mailLog)}</h3><table id="log"><caption class="sr-only">${esc(s.mailLog)}</caption><thead><tr><th scope="col">${esc(s.id)}</th><th scope="col">${esc(s.task)}</th>
        <th scope="col">${esc(s.mode)}</th><th scope="col">${esc(s.status)}</th><th scope="col">${esc(s.recipients)}</th></tr></thead><tbody></tbody></table>
    </section>`);
    this.$('#tasks').addEventListener('click', e => {
      const b = e.target.closest('button[data-run]');
      if (b) this.run(b.dataset.run, b);
    });
    await this.log();
  }

  async run(task, button) {
    const s = this.strings;
    const out = this.$('#result');
    button.disabled = true;
    try {
      const job = await this.api(`/api/v1/activities/${this.getAttribute('activity-id')}/mail-tasks`, { method: 'POST', body: { task } });
      if (job.mode === 'CLIENT' && job.draft) {
        const links = job.draft.mailto.map((m, i, all) => `<a href="${esc(m)}" class="mailto">${esc(s.openMailto(i + 1, all.length))}</a>`).join(' ');
        out.innerHTML = `<p class="ok">${esc(s.drafted)}</p><div class="row">${links}<button type="button" id="eml">${esc(s.downloadEml)}</button></div>`;
        this.$('#eml').addEventListener('click', () => this.download(`/api/v1/activities/${job.activityId}/mail-jobs/${job.id}/draft.eml`,
          `draft-${job.id}.eml`, 'message/rfc822').catch(e => { out.insertAdjacentHTML('beforeend', `<p class="error">${esc(e.message)}</p>`); }));
      } else {
        out.innerHTML = `<p class="ok">${esc(s.queued(job.id))}</p>`;
      }
      this.emit('crm-mail-job', job);
      await this.log();
    } catch (e) {
      out.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    } finally {
      button.disabled = false;
    }
  }

  async log() {
    const s = this.strings;
    const jobs = await this.api(`/api/v1/activities/${this.getAttribute('activity-id')}/mail-jobs`);
    this.$('#log tbody').innerHTML = jobs.map(j => `<tr><td>${j.id}</td><td>${esc(s.tasks[j.taskId] || j.taskId)}</td><td>${esc(s.modes[j.mode] || j.mode)}</td>
      <td>${esc(s.outcomes[j.status] || j.status)}</td>
      <td>${esc((j.recipients || []).map(r => `${r.email} (${s.outcomes[r.status] || r.status})`).join(', '))}</td></tr>`).join('');
  }
}

customElements.define('crm-launch-form', CrmLaunchForm);
customElements.define('crm-launch-progress', CrmLaunchProgress);
customElements.define('crm-launch-history', CrmLaunchHistory);
customElements.define('crm-activity-mail', CrmActivityMail);

export { CrmLaunchForm, CrmLaunchProgress, CrmLaunchHistory, CrmActivityMail, STRINGS };
