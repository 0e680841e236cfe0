import { createHash } from 'node:crypto';
import type { StatusState } from '../core/commit-status.js';
import type { CarriedCommits } from '../ledger/details-store.js';
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
ol.clusters{list-style:none;padding:0;margin:0}
ol.clusters li{padding:.5rem 0;border-top:1px solid #d1d9e0;overflow-wrap:anywhere}
ol.clusters .badge{font-size:.875rem}
ol.clusters p{margin:.25rem 0 0}
.missing{--state:#4d545c}
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

export const STATE_WORDS: Record<StatusState, { word: string; icon: string }> = {
  success: { word: 'Success', icon: '✓' },
  failure: { word: 'Failure', icon: '✗' },
  pending: { word: 'Pending', icon: '…' },
  error: { word: 'No verdict', icon: '!' },
};

/** The state as colour, icon and word; the icon is decoration, the word is what a reader hears. */
export function badge(state: StatusState): Html {
  const { word, icon } = STATE_WORDS[state];
  return html`<span class="badge ${state}"><span aria-hidden="true">${icon} </span>${word}</span>`;
}

export function when(iso: string, now: number): Html {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return html`${iso}`;
  return html`<time datetime="${new Date(time).toISOString()}">${relativeTime(time, now)}</time> <span class="muted">(${absoluteTime(time)})</span>`;
}

export function document(title: string, body: Html): string {
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

export const BANNER = html`<header><span>flux-commit-status · commit status details</span></header>`;

/** The commits this deployment carried without events of their own, each with its own status. */
export function carriedSection(carried: CarriedCommits | undefined): Html {
  if (carried === undefined || (carried.commits.length === 0 && carried.left === 0)) return html``;
  const items = carried.commits.map((sha) => html`<li><code>${sha}</code></li>`);
  // A paged range that stopped early knows there were more, not how many.
  const left =
    carried.left > 0
      ? html`<p class="muted">${carried.more ? 'At least ' : ''}${carried.left} older commits were left out (its rangeLimit).</p>`
      : carried.more
        ? html`<p class="muted">Older commits may have been left out (its rangeLimit).</p>`
        : html``;
  return html`<section aria-labelledby="carried"><h2 id="carried">Commits it carried (${carried.commits.length})</h2><p class="muted">Since <code>${carried.base}</code>, newest first; each shows “deployed with” this commit unless it has a status of its own.</p><ul class="failing">${items}</ul>${left}</section>`;
}
