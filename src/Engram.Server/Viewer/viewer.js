// Engram's viewer: recent memories, search, one memory with its history and corrections, live changes
// from /api/v1/stream, the next session's context, what sessions were given, and pictures. Memories are
// untrusted text (anything an agent or a web page said), so every value reaches the page through
// textContent or text nodes, never as HTML.
'use strict';

import { $, ApiError, KEY_STORAGE, api, apiKey, el, headers, headline, problemText, scopeText, showError, when } from './common.js';
import { renderDetail } from './detail.js';
import { wireInsight } from './insight.js';

{
  const LIST_LIMIT = 100;
  const SEARCH_LIMIT = 50;
  const MAX_RETRY_MS = 30000;

  const state = {
    keysRequired: false,
    filter: { user: '', project: '', kind: '' },
    memories: new Map(), // id -> memory, the recent list
    fresh: new Set(), // ids that arrived live since the list was loaded
    deleted: new Set(),
    moreOnServer: false,
    search: null, // { query, hits } while search results are shown
    selected: null,
    queue: null,
    lastEventId: '',
    stream: 0, // generation of the stream loop; a new one ends the old
    streamAbort: null,
  };

  function setBadge(id, text, ok) {
    const badge = $(id);
    badge.textContent = text;
    badge.className = 'badge ' + (ok ? 'ok' : 'bad');
  }

  // --- The list ---------------------------------------------------------------------------

  function newestFirst(a, b) {
    if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
    return a.id < b.id ? 1 : -1;
  }

  function matchesFilter(memory) {
    const f = state.filter;
    return (!f.user || memory.user_id === f.user) && (!f.project || memory.project === f.project) && (!f.kind || memory.kind === f.kind);
  }

  // Keeps the newer of two versions of a memory, whichever arrived last.
  function upsert(map, memory) {
    const known = map.get(memory.id);
    if (!known || known.updated_at <= memory.updated_at) map.set(memory.id, memory);
  }

  function row(memory, hit) {
    const deleted = state.deleted.has(memory.id);
    const classes = [memory.id === state.selected && 'selected', state.fresh.has(memory.id) && 'fresh', deleted && 'deleted'];
    const li = el('li', { tabIndex: 0 },
      el('div', { className: 'meta' },
        el('span', { className: 'kind' }, memory.kind),
        memory.type && el('span', {}, memory.type),
        el('span', {}, scopeText(memory) || 'no scope'),
        el('time', { dateTime: memory.created_at }, when(memory.created_at)),
        hit && el('span', {}, 'score ' + Number(hit.score).toFixed(3)),
        deleted && el('span', { className: 'error' }, 'deleted')),
      el('div', { className: 'title' }, headline(memory)),
      hit && hit.explanation && el('div', { className: 'explanation' }, hit.explanation));
    li.dataset.id = memory.id;
    for (const name of classes) if (name) li.classList.add(name);
    li.addEventListener('click', () => select(memory.id));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') select(memory.id);
    });
    return li;
  }

  function renderList() {
    let items;
    if (state.search) {
      items = state.search.hits;
      $('list-title').textContent = `Search “${state.search.query}”: ${items.length} found`;
    } else {
      items = [...state.memories.values()].sort(newestFirst);
      $('list-title').textContent = 'Recent memories';
    }
    const rows = items.map((memory) => row(memory, state.search ? memory : null));
    if (rows.length === 0) rows.push(el('li', { className: 'muted' }, state.search ? 'No memory matches.' : 'No memories yet.'));
    $('list').replaceChildren(...rows);
    $('search-clear').hidden = !state.search;
    renderCounts();
  }

  function renderCounts() {
    const parts = [`${state.memories.size}${state.moreOnServer ? '+' : ''} memories`];
    if (state.queue) parts.push(`queue: ${state.queue.pending} pending` + (state.queue.failed ? `, ${state.queue.failed} failed` : ''));
    $('counts').textContent = parts.join(' · ');
  }

  async function loadList() {
    const params = new URLSearchParams({ limit: String(LIST_LIMIT) });
    if (state.filter.user) params.set('user_id', state.filter.user);
    if (state.filter.project) params.set('project', state.filter.project);
    if (state.filter.kind) params.set('kind', state.filter.kind);
    const body = await api('/api/v1/memories?' + params);
    const loaded = new Map();
    for (const memory of body.results) {
      upsert(loaded, memory);
      kinds.set(memory.id, memory.kind);
    }
    // Changes that arrived live while the list was on its way are kept.
    for (const id of state.fresh) {
      const memory = state.memories.get(id);
      if (memory && matchesFilter(memory)) upsert(loaded, memory);
    }
    state.memories = loaded;
    state.moreOnServer = body.next_page !== null && body.next_page !== undefined;
    renderList();
  }

  async function search(query) {
    const body = { query, limit: SEARCH_LIMIT };
    if (state.filter.user) body.user_id = state.filter.user;
    if (state.filter.project) body.project = state.filter.project;
    if (state.filter.kind) body.filters = { kind: state.filter.kind };
    const result = await api('/api/v1/search', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    state.search = { query, hits: result.results };
    renderList();
  }

  // --- One memory -------------------------------------------------------------------------

  async function select(id) {
    state.selected = id;
    for (const li of $('list').children) li.classList.toggle('selected', li.dataset.id === id);
    await renderDetail(id, detailApp);
  }

  // What the detail panel needs from the page: after a correction the list is read again and the
  // (possibly new) memory shown; the live stream brings the same change to other open pages.
  const kinds = new Map(); // id -> the kind last seen, to restore a deleted memory as what it was
  const detailApp = {
    isSelected: (id) => state.selected === id,
    open: (id) => select(id),
    handleError,
    kindOf: (id) => kinds.get(id),
    changed: async (id) => {
      await loadList();
      if (state.search) await search(state.search.query);
      await select(id);
    },
  };

  // --- Live changes -----------------------------------------------------------------------

  // Reads server-sent events from a fetch body (EventSource cannot send an Authorization header):
  // "field: value" lines, an event ends at a blank line, lines starting with ':' are comments.
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { type: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (event.data.length > 0) onEvent(event.type || 'message', event.data.join('\n'), event.id);
          event = { type: '', data: [], id: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? '' : line.slice(colon + 1);
        if (text.startsWith(' ')) text = text.slice(1);
        if (field === 'event') event.type = text;
        else if (field === 'data') event.data.push(text);
        else if (field === 'id') event.id = text;
      }
    }
  }

  function onEvent(type, data, id) {
    if (id) state.lastEventId = id;
    let change;
    try {
      change = JSON.parse(data);
    } catch {
      return;
    }
    if (type === 'queue') {
      state.queue = change;
      renderCounts();
      return;
    }
    // observation and summary repeat a memory_added.
    if (type !== 'memory_added' && type !== 'memory_updated' && type !== 'memory_deleted') return;

    if (type === 'memory_deleted') {
      state.deleted.add(change.id);
    } else if (change.memory) {
      state.deleted.delete(change.id);
      kinds.set(change.id, change.memory.kind);
      if (state.memories.has(change.id) || (type === 'memory_added' && matchesFilter(change.memory))) {
        if (type === 'memory_added') state.fresh.add(change.id);
        upsert(state.memories, change.memory);
      }
      // Search hits change in place and keep their score.
      if (state.search) {
        state.search.hits = state.search.hits.map((hit) =>
          hit.id === change.id ? Object.assign({}, change.memory, { score: hit.score, explanation: hit.explanation }) : hit);
      }
    }
    renderList();
    if (state.selected === change.id) renderDetail(change.id, detailApp);
  }

  // Follows the stream until replaced; reconnects with backoff and Last-Event-ID, so nothing is
  // missed. Resolves once the first attempt has connected or failed.
  function followStream() {
    const generation = ++state.stream;
    if (state.streamAbort) state.streamAbort.abort();
    let settle;
    const firstAttempt = new Promise((resolve) => {
      settle = resolve;
    });
    (async () => {
      let delay = 1000;
      let connected = false;
      while (generation === state.stream) {
        const abort = new AbortController();
        state.streamAbort = abort;
        try {
          const extra = { Accept: 'text/event-stream' };
          if (state.lastEventId) extra['Last-Event-ID'] = state.lastEventId;
          const response = await fetch('/api/v1/stream', { headers: headers(extra), cache: 'no-store', signal: abort.signal });
          if (response.status === 401) {
            settle();
            askForKey(await problemText(response));
            return;
          }
          if (!response.ok || !response.body) throw new ApiError(response.status, await problemText(response));
          setBadge('live', 'live', true);
          settle();
          delay = 1000;
          // Without an event id to resume from, changes made while disconnected come from a fresh list.
          if (connected && !state.lastEventId) loadList().catch(handleError);
          connected = true;
          await readEvents(response.body, onEvent);
        } catch {
          if (generation !== state.stream) return;
        }
        settle();
        setBadge('live', `live: reconnecting in ${delay / 1000}s`, false);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    })();
    return firstAttempt;
  }

  function stopStream() {
    state.stream++;
    if (state.streamAbort) state.streamAbort.abort();
    setBadge('live', 'live: off', false);
  }

  // --- Start, keys, errors ----------------------------------------------------------------

  function handleError(e) {
    if (e instanceof ApiError && e.status === 401) askForKey(e.message);
    else showError(e.message || String(e));
  }

  function askForKey(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    stopStream();
    $('main').hidden = true;
    $('key-form').hidden = false;
    $('key-error').textContent = message || '';
    $('key').focus();
  }

  async function open() {
    $('key-form').hidden = true;
    $('main').hidden = false;
    showError('');
    // The stream is followed before the list is read, so nothing added in between is missed.
    await followStream();
    try {
      await loadList();
    } catch (e) {
      handleError(e);
    }
  }

  function wireForms() {
    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY_STORAGE, $('key').value.trim());
      $('key').value = '';
      open();
    });
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      state.filter = { user: $('filter-user').value.trim(), project: $('filter-project').value.trim(), kind: $('filter-kind').value };
      state.fresh.clear();
      state.search = null;
      loadList().catch(handleError);
    });
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const query = $('search').value.trim();
      if (query) search(query).catch(handleError);
    });
    $('search-clear').addEventListener('click', () => {
      state.search = null;
      $('search').value = '';
      renderList();
    });
  }

  async function start() {
    wireForms();
    wireInsight(handleError);
    let health;
    try {
      health = await api('/health');
    } catch (e) {
      setBadge('health', 'server unreachable', false);
      showError(e.message || String(e));
      return;
    }
    setBadge('health', `${health.status} · v${health.version}`, health.status === 'ok');
    state.keysRequired = health.api_keys_required;
    if (state.keysRequired && !apiKey()) askForKey('');
    else await open();
  }

  start();
}
