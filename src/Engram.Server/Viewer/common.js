// Shared by the viewer's modules: the API client (with the key the user gave) and DOM builders that
// turn every value into text. Memories are untrusted text, so nothing here ever parses data as markup.
'use strict';

export const KEY_STORAGE = 'engram.apiKey';

export const $ = (id) => document.getElementById(id);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || '';
}

export function headers(extra) {
  const result = Object.assign({ Accept: 'application/json' }, extra);
  const key = apiKey();
  if (key) result.Authorization = 'Bearer ' + key;
  return result;
}

export async function api(path, options = {}) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers(options.headers), cache: 'no-store' }));
  if (!response.ok) throw new ApiError(response.status, await problemText(response));
  return response.json();
}

// Writes send JSON, as the server's write guard requires of every change.
export function send(method, path, body) {
  return api(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
}

// Errors are problem details; their detail says what is wrong.
export async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `${response.status} ${response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// Builds an element. Props are set as DOM properties (only literal names from these files);
// children that are not nodes become text nodes, so data is never parsed as markup.
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) node[name] = value;
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === '') continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

// An SVG element: attributes are numbers and literal names from these files; data goes in text children only.
export function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

export function headline(memory) {
  const text = memory.title || String(memory.memory || '').split('\n', 1)[0];
  return text.length > 240 ? text.slice(0, 240) + '…' : text;
}

export function scopeText(memory) {
  return [['user', memory.user_id], ['project', memory.project], ['session', memory.session_id], ['agent', memory.agent_id]]
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}: ${value}`)
    .join(' · ');
}

export function showError(message) {
  $('error').textContent = message || '';
  $('error').hidden = !message;
}

// A small form: labelled fields and a submit button; onSubmit gets the field values and reports failures in place.
export function form(className, fields, buttonText, onSubmit) {
  const note = el('span', { className: 'error' });
  const inputs = fields.map((f) => {
    const input = f.multiline ? el('textarea', { name: f.name, rows: 4, value: f.value || '', placeholder: f.placeholder || '' })
      : f.options ? el('select', { name: f.name }, ...f.options.map((o) => el('option', { value: o, selected: o === f.value }, o)))
        : el('input', { name: f.name, value: f.value || '', placeholder: f.placeholder || '', autocomplete: 'off' });
    input.required = Boolean(f.required);
    return input;
  });
  const node = el('form', { className }, ...inputs.map((input, i) => el('label', {}, fields[i].label, input)), el('button', { type: 'submit' }, buttonText), note);
  node.addEventListener('submit', async (e) => {
    e.preventDefault();
    note.textContent = '';
    const values = Object.fromEntries(inputs.map((input) => [input.name, input.value.trim()]));
    try {
      await onSubmit(values);
    } catch (error) {
      note.textContent = error.message || String(error);
    }
  });
  return node;
}
