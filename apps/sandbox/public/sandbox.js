// The sandbox's chat page: a visitor widget and an agent panel over the emulator's page API.
// Plain DOM, text only (never innerHTML with chat text), same-origin requests only.
'use strict';

const UI = {
  en: {
    placeholder: 'Write a message…',
    send: 'Send',
    working: 'working…',
    hint: 'Start with “New chat”, then write.',
  },
  ro: {
    placeholder: 'Scrieți un mesaj…',
    send: 'Trimite',
    working: 'se lucrează…',
    hint: 'Începeți cu „New chat”, apoi scrieți.',
  },
  nl: {
    placeholder: 'Schrijf een bericht…',
    send: 'Verstuur',
    working: 'bezig…',
    hint: 'Begin met “New chat” en schrijf dan.',
  },
};

const state = { info: null, visitorThread: null, agentThread: null, lastSeen: '', apiBase: '' };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.status);
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function botTag() {
  return state.info && state.info.model.kind === 'demo' ? el('span', { class: 'tag' }, state.info.model.label) : null;
}

function who(m) {
  if (m.author === 'visitor') return 'You';
  if (m.author === 'bot') return state.info ? state.info.bot.name : 'Assistant';
  return m.name;
}

function visitorItem(m) {
  return el(
    'li',
    { class: m.author, 'data-author': m.author, 'data-testid': `visitor-message-${m.author}` },
    el('span', { class: 'who' }, who(m), m.author === 'bot' ? botTag() : null),
    m.text,
  );
}

function agentItem(m) {
  if (m.type === 'COMMENT') {
    return el(
      'li',
      { class: 'note', 'data-testid': 'agent-note-item' },
      el('span', { class: 'who' }, `Internal note · ${m.name}`),
      m.text,
    );
  }
  if (m.type === 'ASSIGNMENT')
    return el('li', { class: 'system' }, m.assignedTo ? `Assigned to ${m.assignedTo}` : 'Unassigned');
  if (m.type === 'THREAD_STATUS_CHANGE') return el('li', { class: 'system' }, 'Status changed');
  if (m.type !== 'MESSAGE') return el('li', { class: 'system' }, m.type);
  const buttons = m.quickReplies.length ? `\n[buttons: ${m.quickReplies.map((q) => q.label).join(' | ')}]` : '';
  return el(
    'li',
    { class: m.author },
    el('span', { class: 'who' }, who(m), m.author === 'bot' ? botTag() : null),
    m.text + buttons,
  );
}

function replaceList(list, items) {
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
  list.replaceChildren(...items);
  if (stick) list.scrollTop = list.scrollHeight;
}

function renderVisitor(thread) {
  const chat = thread.messages.filter((m) => m.type === 'MESSAGE');
  replaceList($('visitor-messages'), chat.map(visitorItem));
  $('working').hidden = !thread.working;
  // The newest offer of buttons stays until one of them is used (HubSpot's widget hides it on any
  // reply; kept here so a staff member can still tap after proving their address).
  const at = chat.map((m) => m.quickReplies.length > 0).lastIndexOf(true);
  const labels = at < 0 ? [] : chat[at].quickReplies.map((q) => q.label);
  const used = chat.slice(at + 1).some((m) => m.author === 'visitor' && labels.includes(m.text));
  const offer = at >= 0 && !used ? chat[at] : undefined;
  $('quick-replies').replaceChildren(
    ...(offer ? offer.quickReplies : []).map((q) => {
      const b = el('button', { type: 'button', 'data-testid': 'quick-reply' }, q.label);
      b.addEventListener('click', () => visitorSend(q.label));
      return b;
    }),
  );
}

function renderAgent(thread) {
  replaceList($('agent-messages'), thread.messages.map(agentItem));
  const assignee = thread.assignedTo ? `assigned to ${thread.assignedTo}` : 'unassigned';
  $('thread-state').textContent = `${thread.profile} · ${thread.status} · ${assignee}`;
  $('link-thread').href = `${state.apiBase}/admin/conversations/${thread.id}`;
  $('link-thread').hidden = false;
}

async function refresh() {
  try {
    if (state.visitorThread) renderVisitor(await api('GET', `/sandbox/api/threads/${state.visitorThread}`));
    if (state.agentThread) renderAgent(await api('GET', `/sandbox/api/threads/${state.agentThread}`));
  } catch (err) {
    console.warn(err);
  }
}

async function refreshSlow() {
  try {
    const threads = await api('GET', '/sandbox/api/threads');
    const select = $('agent-thread');
    const key = threads.map((t) => `${t.id}${t.status}${t.assignedTo}`).join();
    if (key !== state.lastSeen) {
      state.lastSeen = key;
      select.replaceChildren(
        ...threads.reverse().map((t) => el('option', { value: t.id }, `#${t.id} · ${t.profile} · ${t.status}`)),
      );
      if (state.agentThread) select.value = state.agentThread;
    }
    const mails = await api('GET', '/sandbox/api/mail');
    $('mail').replaceChildren(
      ...mails.map((m) => {
        const code = /\b(\d{6})\b/.exec(m.text);
        return el(
          'li',
          { 'data-testid': 'mail-item' },
          `To ${m.to.join(', ')} · ${m.subject}\n`,
          code ? el('span', { class: 'code', 'data-testid': 'mail-code' }, code[1]) : m.text.slice(0, 200),
        );
      }),
    );
  } catch (err) {
    console.warn(err);
  }
}

async function newChat() {
  const thread = await api('POST', '/sandbox/api/threads', { inbox: $('inbox').value, language: $('language').value });
  state.visitorThread = thread.id;
  state.agentThread = thread.id;
  state.lastSeen = '';
  $('visitor-text').disabled = false;
  $('visitor-send').disabled = false;
  $('visitor-text').focus();
  await Promise.all([refresh(), refreshSlow()]);
}

async function visitorSend(text) {
  if (!state.visitorThread || !text.trim()) return;
  await api('POST', `/sandbox/api/threads/${state.visitorThread}/visitor`, { text });
  await refresh();
}

function applyLanguage() {
  const t = UI[$('language').value] || UI.en;
  $('visitor-text').placeholder = t.placeholder;
  $('visitor-send').textContent = t.send;
  $('working').textContent = t.working;
  $('hint').textContent = t.hint;
}

async function init() {
  const info = await api('GET', '/sandbox/api/info');
  state.info = info;
  const banner = $('model-banner');
  if (info.model.kind === 'demo') {
    banner.classList.add('demo');
    banner.textContent = `Model: ${info.model.label}. Replies follow a script, no AI. Try a CUI (14837428), “company Carpati”, “I would like an offer”, or “I want to talk to a person”. Set OPENAI_API_KEY for a real model.`;
  } else {
    banner.textContent = `Model: ${info.model.label}`;
  }
  const base = `${location.protocol}//${location.hostname}:${info.apiPort}`;
  $('link-board').href = `${base}/admin/queues`;
  $('link-costs').href = `${base}/admin/costs`;
  state.apiBase = base;
  $('link-docs').href = `${base}/admin/docs`;
  $('admin-login').textContent = `login: ${info.admin.user} / ${info.admin.password}`;
  $('agent-name').textContent = `(${info.agent.name}, ${info.agent.actorId})`;
  $('inbox').replaceChildren(...info.inboxes.map((i) => el('option', { value: i.profile }, i.name)));
  applyLanguage();

  $('language').addEventListener('change', applyLanguage);
  $('new-chat').addEventListener('click', () => void newChat());
  $('visitor-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('visitor-text');
    const text = input.value;
    input.value = '';
    void visitorSend(text);
  });
  $('agent-thread').addEventListener('change', (e) => {
    state.agentThread = e.target.value;
    void refresh();
  });
  for (const b of document.querySelectorAll('[data-action]')) {
    b.addEventListener('click', async () => {
      if (!state.agentThread) return;
      await api('POST', `/sandbox/api/threads/${state.agentThread}/agent`, { action: b.dataset.action });
      await refresh();
    });
  }
  $('agent-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('agent-text');
    if (!state.agentThread || !input.value.trim()) return;
    const action = e.submitter && e.submitter.dataset.kind === 'note' ? 'note' : 'message';
    await api('POST', `/sandbox/api/threads/${state.agentThread}/agent`, { action, text: input.value });
    input.value = '';
    await refresh();
  });
  setInterval(() => void refresh(), 500);
  setInterval(() => void refreshSlow(), 2000);
  await refreshSlow();
}

document.addEventListener('DOMContentLoaded', () => void init());
