import type { StatusState } from '../core/commit-status.js';
import type { CarriedCommits } from '../ledger/details-store.js';
import { type Html, html } from './html.js';
import { BANNER, badge, carriedSection, document, STATE_WORDS, when } from './page-layout.js';

/** One cluster of the roll-up's environment, with its newest verdict on the commit, if it sent one. */
export interface RollupCluster {
  name: string;
  verdict?: { state: StatusState; description: string; eventTime: number } | undefined;
}

/** What a roll-up's page shows: the roll-up as the forge shows it, and each of its clusters. */
export interface RollupPageView {
  context: string;
  repository: string;
  sha: string;
  environment: string;
  state: StatusState;
  /** The roll-up's description, before the forge's cut. */
  description: string;
  /** The environment's clusters, in the config's order. */
  clusters: readonly RollupCluster[];
  /** The commits the environment's deployment of this one carried, once its roll-up turned final. */
  carried?: CarriedCommits | undefined;
}

/**
 * How many clusters the page lists, the failing first: every cluster is counted, and a fleet-wide
 * failure of a thousand clusters still makes a page a phone can open.
 */
export const LISTED_CLUSTERS = 200;

type Standing = StatusState | 'missing';

/** The list's order: what needs a person first. */
const STANDINGS: ReadonlyArray<{ standing: Standing; words: string }> = [
  { standing: 'failure', words: 'Failing' },
  { standing: 'error', words: 'No verdict' },
  { standing: 'pending', words: 'Progressing' },
  { standing: 'missing', words: 'Not reported' },
  { standing: 'success', words: 'Reconciled' },
];

const standingOf = (cluster: RollupCluster): Standing => cluster.verdict?.state ?? 'missing';

function clusterItem(cluster: RollupCluster, now: number): Html {
  const { verdict } = cluster;
  if (verdict === undefined) {
    return html`<li><span class="badge missing"><span aria-hidden="true">– </span>Not reported</span><strong>${cluster.name}</strong></li>`;
  }
  const time = new Date(verdict.eventTime).toISOString();
  return html`<li>${badge(verdict.state)}<strong>${cluster.name}</strong> ${when(time, now)}<p>${verdict.description === '' ? '(no message)' : verdict.description}</p></li>`;
}

function clustersSection(clusters: readonly RollupCluster[], now: number): Html {
  const rank = (cluster: RollupCluster) =>
    STANDINGS.findIndex(({ standing }) => standing === standingOf(cluster));
  // Stable: within a standing, the config's order.
  const listed = [...clusters].sort((a, b) => rank(a) - rank(b)).slice(0, LISTED_CLUSTERS);
  const left = clusters.length - listed.length;
  const note =
    left > 0
      ? html`<p class="muted">${left} more clusters are not listed (the first ${LISTED_CLUSTERS}, failing first); each is counted above.</p>`
      : html``;
  return html`<section aria-labelledby="clusters"><h2 id="clusters">Clusters, failing first</h2><ol class="clusters">${listed.map((cluster) => clusterItem(cluster, now))}</ol>${note}</section>`;
}

function countsSection(clusters: readonly RollupCluster[]): Html {
  const rows = STANDINGS.map(({ standing, words }) => {
    const count = clusters.filter((cluster) => standingOf(cluster) === standing).length;
    return html`<dt>${words}</dt><dd>${count}</dd>`;
  });
  return html`<section aria-labelledby="counts"><h2 id="counts">${clusters.length} clusters</h2><dl>${rows}</dl></section>`;
}

/** The fleet view of one commit: the roll-up's verdict, and each cluster's newest verdict, time and message. */
export function renderRollupPage(view: RollupPageView, now: number): string {
  const { word } = STATE_WORDS[view.state];
  const body = html`${BANNER}
<main>
<section class="verdict ${view.state}" aria-labelledby="verdict"><h1 id="verdict">${badge(view.state)}${view.context}</h1><p>${view.description}</p></section>
<section aria-labelledby="where"><h2 id="where">Where</h2><dl>
<dt>Environment</dt><dd>${view.environment}</dd>
<dt>Repository</dt><dd>${view.repository}</dd>
<dt>Commit</dt><dd><code>${view.sha}</code></dd>
</dl></section>
${countsSection(view.clusters)}
${clustersSection(view.clusters, now)}
${carriedSection(view.carried)}
</main>
<footer><p>What each cluster of the environment last reported for this commit, read when the page was opened. The page is kept as long as the service remembers the roll-up (30 days after its last change).</p></footer>`;
  return document(`${word}: ${view.context} · flux-commit-status`, body);
}
