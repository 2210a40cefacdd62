// One memory: all its fields, its history, and the corrections a person can make in the page (edit,
// delete with a reason, supersede, restore a deleted or superseded memory or an earlier version).
// Every correction goes through the same REST API and checks as any other client.
'use strict';

import { $, api, el, form, send, when } from './common.js';

const KINDS = ['fact', 'observation', 'summary', 'prompt', 'message', 'block'];

// app: { isSelected(id), open(id), changed(id), handleError(e), kindOf(id) }: what the page around the panel provides.
export async function renderDetail(id, app) {
  const path = '/api/v1/memories/' + encodeURIComponent(id);
  try {
    // A deleted memory answers 404 but keeps its history.
    const [memory, history] = await Promise.all([
      // fetch=false: a person reading here is not the agent using the memory.
      api(path + '?fetch=false').catch((e) => {
        if (e.status === 404) return null;
        throw e;
      }),
      api(path + '/history').catch((e) => {
        if (e.status === 404) return { results: [] };
        throw e;
      }),
    ]);
    if (!app.isSelected(id)) return;
    $('detail').replaceChildren(...fieldNodes(id, memory, app), ...actionNodes(id, memory, history.results, app), ...historyNodes(memory, history.results, app));
  } catch (e) {
    app.handleError(e);
  }
}

function fieldNodes(id, memory, app) {
  if (!memory) return [el('h2', {}, 'Deleted memory'), el('p', { className: 'muted' }, id)];
  const fields = el('dl');
  const add = (name, value) => {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    fields.append(el('dt', {}, name), el('dd', {}, Array.isArray(value) ? value.join('\n') : String(value)));
  };
  // A field naming another memory opens it.
  const link = (name, other) => {
    if (!other) return;
    const dd = el('dd', { className: 'link', tabIndex: 0 }, other);
    dd.addEventListener('click', () => app.open(other));
    fields.append(el('dt', {}, name), dd);
  };
  add('id', memory.id);
  add('kind', memory.kind);
  add('type', memory.type);
  add('tenant', memory.tenant);
  add('user', memory.user_id);
  add('agent', memory.agent_id);
  add('project', memory.project);
  add('session', memory.session_id);
  add('importance', memory.importance);
  add('created', when(memory.created_at));
  add('updated', when(memory.updated_at));
  add('valid from', when(memory.valid_from));
  if (memory.valid_to) add('valid to', when(memory.valid_to));
  link('superseded by', memory.superseded_by);
  link('supersedes', (memory.metadata || {}).supersedes);
  add('facts', memory.facts);
  add('concepts', memory.concepts);
  add('files read', memory.files_read);
  add('files modified', memory.files_modified);
  for (const [key, value] of Object.entries(memory.metadata || {})) if (key !== 'supersedes') add('metadata.' + key, value);
  add('hash', memory.hash);
  return [el('h2', {}, memory.title || 'Memory'), el('pre', { className: 'content' }, memory.memory), fields];
}

function actionNodes(id, memory, history, app) {
  const path = '/api/v1/memories/' + encodeURIComponent(id);
  const done = async (changedId) => app.changed(changedId || id);
  if (!memory) {
    if (!history.some((h) => h.event === 'DELETE')) return [];
    // The history keeps the text and scope, not the kind: the page offers the kind it last saw.
    return [el('h3', {}, 'Restore'), form('restore', [
      { name: 'kind', label: 'as', options: KINDS, value: app.kindOf(id) || 'fact' },
      { name: 'reason', label: 'why', placeholder: 'reason (optional)' },
    ], 'Restore', async (v) => {
      await send('POST', path + '/restore', { kind: v.kind, reason: v.reason || undefined });
      await done();
    })];
  }
  if (memory.valid_to) {
    return [el('h3', {}, 'Restore'), form('restore', [{ name: 'reason', label: 'why', placeholder: 'reason (optional)' }], 'Make current again', async (v) => {
      await send('POST', path + '/restore', { reason: v.reason || undefined });
      await done();
    })];
  }
  return [
    el('h3', {}, 'Edit'),
    form('edit', [
      { name: 'text', label: 'text', multiline: true, value: memory.memory, required: true },
      { name: 'reason', label: 'why', placeholder: 'reason (optional)' },
    ], 'Save', async (v) => {
      await send('PUT', path, { text: v.text, reason: v.reason || undefined });
      await done();
    }),
    el('h3', {}, 'Supersede'),
    form('supersede', [
      { name: 'text', label: 'new memory', multiline: true, required: true, placeholder: 'the text that replaces this memory' },
      { name: 'reason', label: 'why', placeholder: 'reason (optional)' },
    ], 'Supersede', async (v) => {
      const added = await send('POST', path + '/supersede', { text: v.text, reason: v.reason || undefined });
      await done(added.id);
    }),
    el('h3', {}, 'Delete'),
    form('delete', [{ name: 'reason', label: 'why', required: true, placeholder: 'reason (kept in the history)' }], 'Delete', async (v) => {
      await api(path + '?reason=' + encodeURIComponent(v.reason), { method: 'DELETE' });
      await done();
    }),
  ];
}

function historyNodes(memory, history, app) {
  const nodes = [el('h3', {}, 'History')];
  if (history.length === 0) return [...nodes, el('p', { className: 'muted' }, 'No history.')];
  const current = memory && !memory.valid_to;
  nodes.push(el('ol', { className: 'history' }, ...history.map((h) => {
    const earlier = current && h.event === 'UPDATE' && typeof h.old_memory === 'string' && h.old_memory !== memory.memory;
    let restore = null;
    if (earlier) {
      restore = el('button', { type: 'button', className: 'restore-version' }, 'Restore this version');
      restore.addEventListener('click', async () => {
        try {
          await send('PUT', '/api/v1/memories/' + encodeURIComponent(memory.id), { text: h.old_memory, reason: 'restored the version before ' + when(h.created_at) });
          await app.changed(memory.id);
        } catch (e) {
          app.handleError(e);
        }
      });
    }
    return el('li', {},
      el('div', { className: 'meta' }, el('span', { className: 'kind' }, h.event), el('span', {}, 'by ' + h.actor_id), el('time', {}, when(h.created_at))),
      h.reason && el('div', { className: 'reason' }, h.reason),
      h.old_memory !== null && h.old_memory !== undefined && h.event !== 'ADD' && el('pre', {}, '− ' + h.old_memory),
      h.new_memory !== null && h.new_memory !== undefined && el('pre', {}, '+ ' + h.new_memory),
      restore);
  })));
  return nodes;
}
