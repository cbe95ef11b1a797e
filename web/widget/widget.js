/*
 * Amends chat widget. Embed on a store's site:
 *
 *   <script src="https://amends.example/widget.js" data-store="acme" async></script>
 *
 * Optional attributes: data-customer-email + data-customer-token (the store's
 * HMAC of the e-mail, made on its server), data-customer-name, data-locale (en, es).
 * Plain browser JavaScript, no build step. Everything lives in a shadow root,
 * so the page's CSS neither breaks the widget nor is touched by it. The API
 * base is where this script came from, so the widget works on any site.
 */
(() => {
  if (window.AmendsChat) return;

  const script = document.currentScript || document.querySelector('script[data-store][src*="widget.js"]');
  if (!script) return;
  const store = script.getAttribute('data-store');
  if (!store) {
    console.warn('Amends chat: the script tag needs data-store="<your store id>"');
    return;
  }
  const base = new URL(script.src, document.baseURI).href.replace(/\/widget\.js(?:[?#].*)?$/, '');
  const identity = {
    email: (script.getAttribute('data-customer-email') || '').trim(),
    token: (script.getAttribute('data-customer-token') || '').trim(),
    name: (script.getAttribute('data-customer-name') || '').trim(),
  };
  const lang = (script.getAttribute('data-locale') || document.documentElement.lang || navigator.language || 'en').toLowerCase();
  const locale = lang.startsWith('es') ? 'es' : 'en';
  const MAX = 5000;
  /** A name ending a sentence: "Acme." but "Acme Co." stays as it is. */
  const sentence = (name) => (/[.!?]$/.test(name) ? name : `${name}.`);

  const strings = {
    en: {
      launcher: 'Chat with us',
      unread: (n) => `Chat with us, ${n} new ${n === 1 ? 'reply' : 'replies'}`,
      subtitle: 'Ask us anything. We reply right here.',
      greeting: (s) => `Hi! This is ${sentence(s)} How can we help you today?`,
      close: 'Close chat',
      conversation: 'Conversation',
      email: 'Your e-mail',
      emailHint: 'So the team knows who they are talking to. Replies appear here.',
      message: 'Message',
      placeholder: 'Type your message…',
      send: 'Send',
      you: 'You',
      sending: 'Sending…',
      emailInvalid: 'Enter a valid e-mail address, like name@example.com.',
      messageEmpty: 'Write a message first.',
      messageLong: `Messages can be at most ${MAX} characters.`,
      failed: 'Your message could not be sent. Check your connection and try again.',
      slowDown: 'You are sending messages very quickly. Please wait a moment and try again.',
      expired: 'This conversation has ended. Send your message again to start a new one.',
      signIn: 'Please sign in to your account to chat with us.',
      powered: 'Powered by Amends',
    },
    es: {
      launcher: 'Chatea con nosotros',
      unread: (n) => `Chatea con nosotros, ${n} ${n === 1 ? 'respuesta nueva' : 'respuestas nuevas'}`,
      subtitle: 'Pregúntanos lo que quieras. Respondemos aquí mismo.',
      greeting: (s) => `¡Hola! Somos ${sentence(s)} ¿En qué podemos ayudarte?`,
      close: 'Cerrar chat',
      conversation: 'Conversación',
      email: 'Tu correo electrónico',
      emailHint: 'Para que el equipo sepa con quién habla. Las respuestas aparecen aquí.',
      message: 'Mensaje',
      placeholder: 'Escribe tu mensaje…',
      send: 'Enviar',
      you: 'Tú',
      sending: 'Enviando…',
      emailInvalid: 'Escribe un correo válido, como nombre@ejemplo.com.',
      messageEmpty: 'Escribe un mensaje primero.',
      messageLong: `Los mensajes pueden tener como máximo ${MAX} caracteres.`,
      failed: 'No pudimos enviar tu mensaje. Revisa tu conexión e inténtalo de nuevo.',
      slowDown: 'Estás enviando mensajes muy rápido. Espera un momento e inténtalo de nuevo.',
      expired: 'Esta conversación terminó. Envía tu mensaje otra vez para empezar una nueva.',
      signIn: 'Inicia sesión en tu cuenta para chatear con nosotros.',
      powered: 'Con la tecnología de Amends',
    },
  }[locale];

  // ---- state ---------------------------------------------------------------------------------

  const storageKey = `amends-chat:${base}|${store}`;
  const memory = {};
  const storage = {
    get() {
      try {
        return JSON.parse(window.localStorage.getItem(storageKey) || 'null');
      } catch {
        return memory[storageKey] || null;
      }
    },
    set(v) {
      try {
        if (v) window.localStorage.setItem(storageKey, JSON.stringify(v));
        else window.localStorage.removeItem(storageKey);
      } catch {
        memory[storageKey] = v;
      }
    },
  };

  /** The open conversation: { id, token, email } or null. */
  let conv = storage.get();
  // Another signed-in customer on this browser does not see the previous one's chat.
  if (conv && identity.email && conv.email !== identity.email.toLowerCase()) conv = null;
  let storeName = '';
  let requireIdentity = false;
  let stream = null;
  let unread = 0;
  let sending = false;
  /** Kept until the message goes through, so a retry cannot post it twice. */
  let pendingId = null;
  const shown = new Set();
  /** The newest store reply shown: the stream resumes after it. */
  let lastStoreId = '';

  const randomId = () => {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  };

  async function api(path, opts = {}) {
    const headers = {};
    if (opts.body) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${base}/widget/api/${encodeURIComponent(store)}${path}`, {
      method: opts.method || 'GET',
      headers,
      body: opts.body ? JSON.stringify(opts.body) : undefined,
      credentials: 'omit',
      mode: 'cors',
    });
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = new Error(data?.error?.message || `HTTP ${res.status}`);
      err.status = res.status;
      err.code = data?.error ? data.error.code : undefined;
      throw err;
    }
    return data;
  }

  // ---- view ----------------------------------------------------------------------------------

  const css = `
    :host { all: initial; }
    *, *::before, *::after { box-sizing: border-box; }
    /* The page styles the host element; inherited properties (letter-spacing, text-align…) stop here. */
    .root {
      all: initial;
      --accent: #1d4ed8; --accent-dark: #1e3a8a; --ink: #0f172a; --muted: #475569; --line: #cbd5e1;
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      color: var(--ink);
      -webkit-font-smoothing: antialiased;
    }
    [hidden] { display: none !important; }
    button, input, textarea { font: inherit; color: inherit; margin: 0; }
    .sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
    .launcher {
      position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
      display: inline-flex; align-items: center; gap: 8px; padding: 12px 18px 12px 14px;
      border: 0; border-radius: 999px; background: var(--accent); color: #fff; cursor: pointer;
      font-weight: 600; font-size: 15px; box-shadow: 0 6px 20px rgba(15, 23, 42, .28);
      transition: background-color .15s, transform .15s;
    }
    .launcher:hover { background: var(--accent-dark); }
    .launcher:active { transform: translateY(1px); }
    .launcher svg { width: 22px; height: 22px; flex: none; }
    .badge {
      min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #fff; color: var(--accent-dark);
      font-size: 12px; font-weight: 700; line-height: 20px; text-align: center;
    }
    .launcher:focus-visible, .send:focus-visible { outline: none; box-shadow: 0 0 0 3px #fff, 0 0 0 6px var(--accent-dark); }
    .panel {
      position: fixed; right: 20px; bottom: 84px; z-index: 2147483000;
      width: 370px; max-width: calc(100vw - 24px); height: 560px; max-height: calc(100vh - 108px);
      display: flex; flex-direction: column; overflow: hidden;
      background: #fff; border-radius: 16px; border: 1px solid rgba(15, 23, 42, .08);
      box-shadow: 0 18px 48px rgba(15, 23, 42, .28);
    }
    .head { display: flex; align-items: flex-start; gap: 12px; padding: 16px 14px 16px 18px; background: var(--accent); color: #fff; }
    .head-text { flex: 1; min-width: 0; }
    .title { margin: 0; font-size: 17px; font-weight: 700; line-height: 1.3; }
    .subtitle { margin: 2px 0 0; font-size: 13px; color: #dbeafe; }
    .close {
      flex: none; width: 36px; height: 36px; display: grid; place-items: center; border: 0; border-radius: 8px;
      background: transparent; color: #fff; cursor: pointer;
    }
    .close:hover { background: rgba(255, 255, 255, .16); }
    .close:focus-visible { outline: 3px solid #fff; outline-offset: 1px; }
    .close svg { width: 20px; height: 20px; }
    .log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: #f8fafc; display: flex; flex-direction: column; gap: 10px; }
    .log:focus-visible { outline: 3px solid var(--accent); outline-offset: -3px; }
    .msg { display: flex; flex-direction: column; max-width: 84%; }
    .msg.store { align-self: flex-start; }
    .msg.customer { align-self: flex-end; align-items: flex-end; }
    .bubble { margin: 0; padding: 9px 13px; border-radius: 16px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .store .bubble { background: #e8edf5; color: var(--ink); border-bottom-left-radius: 4px; }
    .customer .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 4px; }
    .meta { margin: 3px 4px 0; font-size: 12px; color: var(--muted); }
    .compose { padding: 10px 12px 8px; border-top: 1px solid #e2e8f0; background: #fff; display: flex; flex-direction: column; gap: 8px; }
    .field { display: flex; flex-direction: column; gap: 4px; }
    label { font-size: 13px; font-weight: 600; }
    .hint { margin: 0; font-size: 12px; color: var(--muted); }
    input, textarea {
      width: 100%; border: 1px solid #64748b; border-radius: 10px; padding: 9px 11px; background: #fff; color: var(--ink);
    }
    input::placeholder, textarea::placeholder { color: #64748b; }
    input:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 0; border-color: var(--accent); }
    [aria-invalid="true"] { border-color: #b91c1c; }
    .row { display: flex; align-items: flex-end; gap: 8px; }
    textarea { resize: none; min-height: 42px; max-height: 132px; line-height: 1.4; }
    .send {
      flex: none; height: 42px; padding: 0 16px; border: 0; border-radius: 10px; background: var(--accent); color: #fff;
      font-weight: 600; cursor: pointer;
    }
    .send:hover { background: var(--accent-dark); }
    .send[aria-disabled="true"] { opacity: .7; cursor: progress; }
    .error { margin: 0; font-size: 13px; color: #b91c1c; }
    .error:empty { display: none; }
    .notice { margin: 0; padding: 10px 12px; font-size: 14px; color: var(--ink); background: #fef3c7; border-radius: 10px; }
    .foot { margin: 0; padding: 0 12px 8px; font-size: 11px; color: var(--muted); text-align: center; background: #fff; }
    @media (max-width: 480px) {
      .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }
      .launcher { right: 14px; bottom: 14px; }
      .root.open .launcher { display: none; }
    }
    @media (prefers-reduced-motion: reduce) { .launcher { transition: none; } }
  `;

  const icon = {
    chat: '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z"/></svg>',
    close:
      '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  };

  const host = document.createElement('amends-chat');
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.innerHTML = `
    <style>${css}</style>
    <div class="root">
      <section class="panel" id="panel" role="dialog" aria-modal="false" aria-labelledby="title" aria-describedby="subtitle" hidden>
        <header class="head">
          <div class="head-text">
            <h2 class="title" id="title"></h2>
            <p class="subtitle" id="subtitle"></p>
          </div>
          <button type="button" class="close" id="close">${icon.close}</button>
        </header>
        <div class="log" id="log" role="log" aria-live="polite" tabindex="0"></div>
        <form class="compose" id="form" novalidate>
          <p class="notice" id="notice" hidden></p>
          <div class="field" id="email-field" hidden>
            <label for="email"></label>
            <input id="email" name="email" type="email" autocomplete="email" inputmode="email" maxlength="320" required aria-describedby="email-hint">
            <p class="hint" id="email-hint"></p>
          </div>
          <p class="error" id="error" role="alert"></p>
          <div class="row">
            <label for="message" class="sr-only"></label>
            <textarea id="message" name="message" rows="1" maxlength="${MAX}" required></textarea>
            <button type="submit" class="send" id="send"></button>
          </div>
        </form>
        <p class="foot" id="foot"></p>
      </section>
      <button type="button" class="launcher" id="launcher" aria-expanded="false" aria-controls="panel">
        ${icon.chat}<span id="launcher-text"></span><span class="badge" id="badge" aria-hidden="true" hidden></span>
      </button>
    </div>`;

  const $ = (id) => shadow.getElementById(id);
  const root = shadow.querySelector('.root');
  const panel = $('panel');
  const launcher = $('launcher');
  const log = $('log');
  const form = $('form');
  const emailField = $('email-field');
  const email = $('email');
  const message = $('message');
  const send = $('send');
  const error = $('error');
  const notice = $('notice');

  $('subtitle').textContent = strings.subtitle;
  $('close').setAttribute('aria-label', strings.close);
  log.setAttribute('aria-label', strings.conversation);
  emailField.querySelector('label').textContent = strings.email;
  $('email-hint').textContent = strings.emailHint;
  shadow.querySelector('label[for="message"]').textContent = strings.message;
  message.placeholder = strings.placeholder;
  send.textContent = strings.send;
  $('launcher-text').textContent = strings.launcher;
  $('foot').textContent = strings.powered;
  setStoreName(store);

  function setStoreName(name) {
    storeName = name;
    $('title').textContent = name;
  }

  function timeOf(at) {
    try {
      return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
    } catch {
      return '';
    }
  }

  /** Adds one message to the log (once per id); returns its element. */
  function addMessage(m, opts = {}) {
    if (m.id && shown.has(m.id)) return null;
    if (m.id) shown.add(m.id);
    if (m.id && m.from === 'store') lastStoreId = m.id;
    const el = document.createElement('div');
    el.className = `msg ${m.from === 'customer' ? 'customer' : 'store'}`;
    const who = m.from === 'customer' ? strings.you : m.author || storeName;
    const bubble = document.createElement('p');
    bubble.className = 'bubble';
    // Text only: nothing a message says becomes markup.
    bubble.textContent = m.body;
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = opts.pending ? `${who} · ${strings.sending}` : `${who}${m.at ? ` · ${timeOf(m.at)}` : ''}`;
    el.append(bubble, meta);
    log.append(el);
    log.scrollTop = log.scrollHeight;
    if (m.from === 'store' && opts.live && panel.hidden) {
      unread++;
      updateBadge();
    }
    return el;
  }

  function greet(text) {
    const g = log.querySelector('.greeting');
    if (g) g.remove();
    const el = addMessage({ from: 'store', body: text, author: storeName });
    el.classList.add('greeting');
    log.prepend(el);
  }

  function updateBadge() {
    const badge = $('badge');
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    if (unread > 0) launcher.setAttribute('aria-label', strings.unread(unread));
    else launcher.removeAttribute('aria-label');
  }

  function showError(text, field) {
    error.textContent = text || '';
    for (const f of [email, message]) {
      if (f === field) {
        f.setAttribute('aria-invalid', 'true');
        f.setAttribute('aria-errormessage', 'error');
      } else {
        f.removeAttribute('aria-invalid');
        f.removeAttribute('aria-errormessage');
      }
    }
  }

  function refreshForm() {
    const anonymous = !identity.token;
    emailField.hidden = !(anonymous && !conv);
    const blocked = !conv && requireIdentity && anonymous;
    notice.hidden = !blocked;
    notice.textContent = blocked ? strings.signIn : '';
    message.disabled = blocked;
    send.disabled = blocked;
  }

  function open() {
    panel.hidden = false;
    root.classList.add('open');
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    updateBadge();
    log.scrollTop = log.scrollHeight;
    (!emailField.hidden && !email.value ? email : message).focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
  $('close').addEventListener('click', close);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  });
  message.addEventListener('input', () => {
    message.style.height = 'auto';
    message.style.height = `${Math.min(message.scrollHeight + 2, 132)}px`;
  });
  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  // ---- conversation --------------------------------------------------------------------------

  function forget() {
    if (stream) stream.close();
    stream = null;
    conv = null;
    storage.set(null);
    refreshForm();
  }

  function connect() {
    if (!conv || typeof EventSource === 'undefined') return;
    if (stream) stream.close();
    const after = lastStoreId;
    const url =
      `${base}/widget/api/${encodeURIComponent(store)}/conversations/${encodeURIComponent(conv.id)}/stream` +
      `?token=${encodeURIComponent(conv.token)}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const es = new EventSource(url);
    stream = es;
    es.addEventListener('message', (e) => {
      try {
        addMessage(JSON.parse(e.data), { live: true });
      } catch {
        // A line we do not understand is skipped; the next poll of the history has it.
      }
    });
    es.addEventListener('error', () => {
      // EventSource retries by itself; it gives up only on an answer that is not a stream (e.g. 401).
      if (es.readyState === EventSource.CLOSED && stream === es) {
        stream = null;
        setTimeout(resume, 3000);
      }
    });
  }

  /** Loads the stored conversation's history, then listens for replies. */
  async function resume() {
    if (!conv) return;
    try {
      const data = await api(`/conversations/${encodeURIComponent(conv.id)}/messages`, { token: conv.token });
      for (const m of data.messages) addMessage(m);
      connect();
    } catch (err) {
      if (err.status === 401 || err.status === 404) forget();
      else setTimeout(resume, 10_000);
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (sending) return;
    const text = message.value.trim();
    const mail = identity.token ? identity.email : email.value.trim();
    if (!conv && !identity.token && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mail)) {
      showError(strings.emailInvalid, email);
      email.focus();
      return;
    }
    if (!text) {
      showError(strings.messageEmpty, message);
      message.focus();
      return;
    }
    if (text.length > MAX) {
      showError(strings.messageLong, message);
      message.focus();
      return;
    }
    showError('');
    sending = true;
    send.setAttribute('aria-disabled', 'true');
    pendingId = pendingId || randomId();
    const bubble = addMessage({ from: 'customer', body: text }, { pending: true });
    message.value = '';
    message.style.height = '';
    try {
      if (conv) {
        await api(`/conversations/${encodeURIComponent(conv.id)}/messages`, {
          method: 'POST',
          token: conv.token,
          body: { message: text, clientMessageId: pendingId },
        });
      } else {
        const body = { email: mail, message: text, pageUrl: location.href.slice(0, 2000), clientMessageId: pendingId };
        if (identity.token) body.customerToken = identity.token;
        if (identity.name) body.name = identity.name;
        const opened = await api('/conversations', { method: 'POST', body });
        conv = { id: opened.conversationId, token: opened.token, email: mail.toLowerCase() };
        storage.set(conv);
        refreshForm();
        connect();
      }
      pendingId = null;
      bubble.querySelector('.meta').textContent = `${strings.you} · ${timeOf(new Date().toISOString())}`;
    } catch (err) {
      bubble.remove();
      message.value = text;
      if (err.status === 401 && conv) {
        forget();
        pendingId = null;
        showError(strings.expired, message);
      } else if (err.status === 401) {
        showError(strings.signIn, message);
      } else if (err.status === 429) {
        showError(strings.slowDown, message);
      } else if (err.status === 400) {
        pendingId = null;
        showError(err.message, message);
      } else {
        showError(strings.failed, message);
      }
      message.focus();
    } finally {
      sending = false;
      send.removeAttribute('aria-disabled');
    }
  });

  // ---- start ---------------------------------------------------------------------------------

  function mount() {
    document.body.appendChild(host);
    refreshForm();
    greet(strings.greeting(storeName));
    api('/config').then(
      (cfg) => {
        setStoreName(cfg.store.name);
        requireIdentity = cfg.requireIdentity;
        greet(cfg.greeting || strings.greeting(cfg.store.name));
        refreshForm();
      },
      (err) => console.warn(`Amends chat: could not load the settings of store "${store}" (${err.message})`),
    );
    resume();
  }

  window.AmendsChat = { open, close };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
