import { createHash } from 'node:crypto';
import type { StatusState } from '../core/commit-status.js';
import { reasonToWords } from '../core/text.js';
import type { DetailsEntry, DetailsRecord } from '../ledger/details-store.js';
import { failingResources } from './failing-resources.js';
import { type Html, html } from './html.js';
import { absoluteTime, relativeTime } from './page-time.js';

/**
 * Phone first, system fonts, no images. Colours meet WCAG AA: each badge's white text is at least
 * 7:1 on its colour, body text 15:1 and secondary text 6:1 on white.
 */
const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;line-height:1.5;color:#1f2328;background:#fff}
body{margin:0}
header,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}
header{padding-top:.75rem;color:#4d545c;font-size:.875rem}
main{padding-bottom:1rem}
.verdict{border-left:.5rem solid var(--state);padding:.25rem 0 .25rem .75rem;margin:.75rem 0 1rem}
.verdict h1{font-size:1.375rem;margin:0;overflow-wrap:anywhere}
.verdict p{margin:.25rem 0 0;font-size:1.125rem}
.badge{display:inline-block;background:var(--state);color:#fff;font-weight:700;border-radius:.375rem;padding:.125rem .5rem;margin-right:.5rem;white-space:nowrap}
.success{--state:#116329}.failure{--state:#a40e26}.pending{--state:#6b4200}.error{--state:#57606a}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere;min-width:0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.875rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;border:1px solid #d1d9e0;border-radius:.375rem;padding:.75rem;margin:0}
ul.failing{padding-left:1.25rem;margin:0}
ul.failing li{margin:.25rem 0;overflow-wrap:anywhere}
ol.history{list-style:none;padding:0;margin:0}
ol.history li{display:flex;flex-wrap:wrap;gap:.25rem .5rem;align-items:baseline;padding:.5rem 0;border-top:1px solid #d1d9e0}
ol.history .badge{font-size:.875rem;margin:0}
.muted{color:#4d545c}
footer{border-top:1px solid #d1d9e0;padding-top:.75rem;padding-bottom:1.5rem;color:#4d545c;font-size:.875rem}
@media (min-width:40rem){.verdict h1{font-size:1.625rem}}
`;

/** Scripts none, styles only this sheet, nothing loaded, never framed, never a form target. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const STATE_WORDS: Record<StatusState, { word: string; icon: string }> = {
  success: { word: 'Success', icon: '✓' },
  failure: { word: 'Failure', icon: '✗' },
  pending: { word: 'Pending', icon: '…' },
  error: { word: 'No verdict', icon: '!' },
};

/** The state as colour, icon and word; the icon is decoration, the word is what a reader hears. */
function badge(state: StatusState): Html {
  const { word, icon } = STATE_WORDS[state];
  return html`<span class="badge ${state}"><span aria-hidden="true">${icon} </span>${word}</span>`;
}

function when(iso: string, now: number): Html {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return html`${iso}`;
  return html`<time datetime="${new Date(time).toISOString()}">${relativeTime(time, now)}</time> <span class="muted">(${absoluteTime(time)})</span>`;
}

function document(title: string, body: Html): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${html`${title}`.markup}</title>
<style>${STYLE}</style>
</head>
<body>
${body.markup}
</body>
</html>
`;
}

const BANNER = html`<header><span>flux-commit-status · commit status details</span></header>`;

function summaryOf(entry: DetailsEntry): string {
  const words = reasonToWords(entry.reason);
  return words === '' ? STATE_WORDS[entry.state].word.toLowerCase() : words;
}

function failingSection(entry: DetailsEntry): Html {
  const resources = failingResources(entry.message);
  if (resources.length === 0) return html``;
  const items = resources.map(
    (resource) =>
      html`<li><code>${resource.object}</code> <span class="muted">status:</span> ${resource.status}</li>`,
  );
  return html`<section aria-labelledby="failing"><h2 id="failing">Failing resources (${resources.length})</h2><ul class="failing">${items}</ul></section>`;
}

function historySection(entries: readonly DetailsEntry[], now: number): Html {
  const items = entries.map(
    (entry) =>
      html`<li>${badge(entry.state)}<span>${summaryOf(entry)}</span><span class="muted">${when(entry.eventTime, now)}</span></li>`,
  );
  return html`<section aria-labelledby="history"><h2 id="history">History, newest first</h2><ol class="history">${items}</ol></section>`;
}

/** The commits this deployment carried without events of their own, each with its own status. */
function carriedSection(carried: DetailsRecord['carried']): Html {
  if (carried === undefined || (carried.commits.length === 0 && carried.left === 0)) return html``;
  const items = carried.commits.map((sha) => html`<li><code>${sha}</code></li>`);
  // A paged range that stopped early knows there were more, not how many.
  const left =
    carried.left > 0
      ? html`<p class="muted">${carried.more ? 'At least ' : ''}${carried.left} older commits were left out (the route's rangeLimit).</p>`
      : carried.more
        ? html`<p class="muted">Older commits may have been left out (the route's rangeLimit).</p>`
        : html``;
  return html`<section aria-labelledby="carried"><h2 id="carried">Commits it carried (${carried.commits.length})</h2><p class="muted">Since <code>${carried.base}</code>, newest first; each shows “deployed with” this commit unless it has a status of its own.</p><ul class="failing">${items}</ul>${left}</section>`;
}

/** The page of one status identity: its verdict (the newest event's), where, when, what, and before. */
export function renderDetailsPage(record: DetailsRecord, now: number): string {
  const verdict = record.entries[0];
  if (verdict === undefined) return renderNotFoundPage();
  const { word } = STATE_WORDS[verdict.state];
  const body = html`${BANNER}
<main>
<section class="verdict ${verdict.state}" aria-labelledby="verdict"><h1 id="verdict">${badge(verdict.state)}${record.context}</h1><p>${summaryOf(verdict)}</p></section>
<section aria-labelledby="where"><h2 id="where">Where and when</h2><dl>
<dt>Cluster</dt><dd>${verdict.cluster}</dd>
<dt>Object</dt><dd><code>${verdict.object}</code></dd>
<dt>Repository</dt><dd>${record.repository}</dd>
<dt>Commit</dt><dd><code>${record.sha}</code></dd>
<dt>Revision</dt><dd><code>${verdict.revision === '' ? 'none given' : verdict.revision}</code></dd>
<dt>Event time</dt><dd>${when(verdict.eventTime, now)}</dd>
<dt>Received</dt><dd>${when(verdict.receivedAt, now)}</dd>
</dl></section>
${failingSection(verdict)}
${carriedSection(record.carried)}
<section aria-labelledby="message"><h2 id="message">Message from Flux</h2><pre>${verdict.message === '' ? '(no message)' : verdict.message}</pre></section>
${historySection(record.entries, now)}
</main>
<footer><p>What Flux reported for this status, as the service received it. The page is kept as long as the service remembers the status (30 days after its last event).</p></footer>`;
  return document(`${word}: ${record.context} · flux-commit-status`, body);
}

export function renderNotFoundPage(): string {
  return document(
    'Not found · flux-commit-status',
    html`${BANNER}<main><h1>Page not found</h1><p>This link is unknown, incomplete or expired. Open the newest status on the commit for a fresh link.</p></main>`,
  );
}

export function renderUnavailablePage(): string {
  return document(
    'Unavailable · flux-commit-status',
    html`${BANNER}<main><h1>Page not available right now</h1><p>The details cannot be read at the moment. Try again in a minute.</p></main>`,
  );
}
