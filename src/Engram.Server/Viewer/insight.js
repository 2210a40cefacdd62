// What agents are given: the context the next session in a project would get (previewed live for a
// token budget; nothing is recorded), and per session which memories were injected and why.
'use strict';

import { $, api, el, headline, when } from './common.js';
import { renderPictures } from './charts.js';

let previewTimer = 0;
let previewGeneration = 0;

export function wireInsight(handleError) {
  for (const button of document.querySelectorAll('nav button[data-view]')) {
    button.addEventListener('click', () => showView(button.dataset.view, handleError));
  }
  const schedule = () => {
    $('budget-value').textContent = $('budget').value + ' tokens';
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => preview().catch(handleError), 150);
  };
  $('budget').addEventListener('input', schedule);
  $('preview-form').addEventListener('submit', (e) => {
    e.preventDefault();
    schedule();
  });
  $('sessions-refresh').addEventListener('click', () => loadSessions().catch(handleError));
}

function showView(name, handleError) {
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== 'view-' + name;
  for (const button of document.querySelectorAll('nav button[data-view]')) button.classList.toggle('active', button.dataset.view === name);
  const load = { context: () => ($('preview-project').value.trim() ? preview() : null), sessions: loadSessions, pictures: renderPictures }[name];
  if (load) Promise.resolve(load()).catch(handleError);
}

// --- The next session's context -------------------------------------------------------------

async function preview() {
  const project = $('preview-project').value.trim();
  if (!project) {
    $('preview-summary').textContent = 'Name a project (such as github.com/org/repo) to see what its next session would be told.';
    return;
  }
  const generation = ++previewGeneration;
  const params = new URLSearchParams({ project, max_tokens: $('budget').value });
  const result = await api('/api/v1/context/preview?' + params);
  if (generation !== previewGeneration) return; // a newer budget was asked for meanwhile
  $('preview-summary').textContent = result.memories.length === 0
    ? `Nothing would be injected for ${result.project}.`
    : `${result.estimated_tokens} of ${result.max_tokens} tokens · ${result.memories.length} memories`;
  $('preview-text').textContent = result.context;
  $('preview-memories').replaceChildren(...result.memories.map((m) =>
    el('li', {},
      el('div', { className: 'meta' }, el('span', { className: 'kind' }, '#' + m.rank + ' ' + m.reason), el('span', {}, m.tokens + ' tokens'), el('span', {}, m.memory_id)),
      el('div', { className: 'explanation' }, m.detail))));
}

// --- Sessions and what they were given -------------------------------------------------------

async function loadSessions() {
  const body = await api('/api/v1/sessions?limit=50');
  const rows = body.results.map((s) => {
    const li = el('li', { tabIndex: 0 },
      el('div', { className: 'meta' }, el('span', { className: 'kind' }, s.session_id), s.project && el('span', {}, s.project),
        el('time', {}, when(s.updated_at)), el('span', {}, s.memories + ' memories')),
      el('div', { className: 'title' }, headline(s.headline)));
    li.dataset.session = s.session_id;
    const open = () => showInjections(s.session_id).catch((e) => {
      $('injections').replaceChildren(el('p', { className: 'error' }, e.message));
    });
    li.addEventListener('click', open);
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
    });
    return li;
  });
  if (rows.length === 0) rows.push(el('li', { className: 'muted' }, 'No sessions yet.'));
  $('sessions').replaceChildren(...rows);
}

export async function showInjections(sessionId) {
  for (const li of $('sessions').children) li.classList.toggle('selected', li.dataset.session === sessionId);
  const body = await api('/api/v1/sessions/' + encodeURIComponent(sessionId) + '/injections');
  const nodes = [el('h2', {}, 'Given to session ' + sessionId)];
  if (body.results.length === 0) {
    nodes.push(el('p', { className: 'muted' }, 'No memories were injected into this session (or it started before Engram recorded them).'));
  } else {
    nodes.push(el('p', { className: 'muted' }, `${body.results.length} memories, ${body.total_tokens} tokens in all`));
    // One table per context given (a session that resumed or compacted starts again with a new one).
    const contexts = new Map();
    for (const r of body.results) {
      if (!contexts.has(r.context_id)) contexts.set(r.context_id, []);
      contexts.get(r.context_id).push(r);
    }
    for (const [contextId, records] of contexts) {
      nodes.push(el('h3', {}, `${when(records[0].injected_at)} · ${records[0].source} · ${contextId}`));
      nodes.push(el('table', { className: 'injections' },
        el('thead', {}, el('tr', {}, ...['#', 'memory', 'why', 'tokens'].map((h) => el('th', {}, h)))),
        el('tbody', {}, ...records.map((r) => el('tr', { className: r.current ? '' : 'gone' },
          el('td', {}, r.rank),
          el('td', {}, r.current ? headline(r) : (r.memory ? headline(r) + ' (no longer current)' : r.memory_id + ' (deleted since)')),
          el('td', {}, el('span', { className: 'kind' }, r.reason), r.detail && el('div', { className: 'explanation' }, r.detail)),
          el('td', {}, r.tokens))))));
    }
  }
  $('injections').replaceChildren(...nodes);
}
