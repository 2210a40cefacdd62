// Pictures where people would rather look than read: activity over time, memories by kind and by
// project, and tokens injected into sessions against the full memories they point to. Inline SVG built
// with DOM calls (no library, nothing the CSP would refuse); every label is a text node.
'use strict';

import { $, api, el, svg } from './common.js';

const DAYS = 30;
const BAR = 18;

export async function renderPictures() {
  const [memories, sessions] = await Promise.all([api('/api/v1/memories?limit=1000'), api('/api/v1/sessions?limit=20')]);
  const given = await Promise.all(sessions.results.map((s) =>
    api('/api/v1/sessions/' + encodeURIComponent(s.session_id) + '/injections').then((body) => ({ session: s.session_id, body }))));
  $('pictures').replaceChildren(
    figure('Activity: memories added per day, last ' + DAYS + ' days', activity(memories.results)),
    figure('Memories by kind', bars(count(memories.results, (m) => m.kind))),
    figure('Memories by project', bars(count(memories.results, (m) => m.project || '(no project)').slice(0, 10))),
    figure('Tokens injected per session, against the tokens of the full memories they point to', tokens(given)));
}

function figure(caption, picture) {
  return el('figure', {}, el('figcaption', {}, caption), picture);
}

function count(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) || 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function dayKey(date) {
  return date.toISOString().slice(0, 10);
}

function activity(memories) {
  const today = new Date();
  const days = [];
  for (let i = DAYS - 1; i >= 0; i--) days.push(dayKey(new Date(today.getTime() - i * 86400000)));
  const perDay = new Map(days.map((d) => [d, 0]));
  for (const m of memories) {
    const d = dayKey(new Date(m.created_at));
    if (perDay.has(d)) perDay.set(d, perDay.get(d) + 1);
  }
  const max = Math.max(1, ...perDay.values());
  const width = 600;
  const height = 120;
  const step = width / DAYS;
  const picture = svg('svg', { viewBox: `0 0 ${width} ${height + 20}`, class: 'chart activity', role: 'img' });
  days.forEach((d, i) => {
    const n = perDay.get(d);
    const h = Math.round((n / max) * height);
    picture.append(svg('rect', { x: i * step + 1, y: height - h, width: step - 2, height: h, class: 'bar' }, svg('title', {}, `${d}: ${n}`)));
  });
  picture.append(svg('text', { x: 0, y: height + 15, class: 'label' }, days[0]), svg('text', { x: width, y: height + 15, class: 'label end' }, days[days.length - 1]));
  return picture;
}

// Horizontal bars, one per [label, value].
function bars(rows) {
  if (rows.length === 0) return el('p', { className: 'muted' }, 'Nothing yet.');
  const max = Math.max(...rows.map(([, n]) => n));
  const width = 600;
  const labelWidth = 220;
  const picture = svg('svg', { viewBox: `0 0 ${width} ${rows.length * (BAR + 6)}`, class: 'chart bars', role: 'img' });
  rows.forEach(([label, n], i) => {
    const y = i * (BAR + 6);
    const w = Math.max(1, Math.round((n / max) * (width - labelWidth - 50)));
    picture.append(
      svg('text', { x: labelWidth - 6, y: y + BAR - 4, class: 'label end' }, shorten(label, 32)),
      svg('rect', { x: labelWidth, y, width: w, height: BAR, class: 'bar' }, svg('title', {}, `${label}: ${n}`)),
      svg('text', { x: labelWidth + w + 4, y: y + BAR - 4, class: 'label' }, n));
  });
  return picture;
}

// Per session: what the injected lines cost, beside what reading the memories in full would have cost.
function tokens(given) {
  const rows = given.filter((g) => g.body.results.length > 0).map((g) => {
    const full = g.body.results.reduce((sum, r) => sum + Math.ceil(((r.title || '').length + (r.memory || '').length) / 4), 0);
    return [g.session, g.body.total_tokens, full];
  });
  if (rows.length === 0) return el('p', { className: 'muted' }, 'No injections recorded yet.');
  const max = Math.max(1, ...rows.flatMap(([, a, b]) => [a, b]));
  const width = 600;
  const labelWidth = 220;
  const picture = svg('svg', { viewBox: `0 0 ${width} ${rows.length * (2 * BAR + 10) + 20}`, class: 'chart tokens', role: 'img' });
  rows.forEach(([session, injected, full], i) => {
    const y = i * (2 * BAR + 10);
    const scale = (n) => Math.max(1, Math.round((n / max) * (width - labelWidth - 70)));
    picture.append(
      svg('text', { x: labelWidth - 6, y: y + BAR - 4, class: 'label end' }, shorten(session, 32)),
      svg('rect', { x: labelWidth, y, width: scale(injected), height: BAR, class: 'bar injected' }, svg('title', {}, `${session}: ${injected} tokens injected`)),
      svg('text', { x: labelWidth + scale(injected) + 4, y: y + BAR - 4, class: 'label' }, injected + ' injected'),
      svg('rect', { x: labelWidth, y: y + BAR, width: scale(full), height: BAR, class: 'bar full' }, svg('title', {}, `${session}: ${full} tokens in full`)),
      svg('text', { x: labelWidth + scale(full) + 4, y: y + 2 * BAR - 4, class: 'label' }, full + ' in full'));
  });
  return picture;
}

function shorten(text, width) {
  const s = String(text);
  return s.length > width ? s.slice(0, width - 1) + '…' : s;
}
