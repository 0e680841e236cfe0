import { reasonToWords } from '../core/text.js';
import type { DetailsEntry, DetailsRecord } from '../ledger/details-store.js';
import { failingResources } from './failing-resources.js';
import { type Html, html } from './html.js';
import { BANNER, badge, carriedSection, document, STATE_WORDS, when } from './page-layout.js';

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
