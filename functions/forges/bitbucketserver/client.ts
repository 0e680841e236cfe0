import { RouteMisconfiguredError } from '../../core/errors.js';
import { truncate } from '../../core/text.js';
import { BITBUCKET_SERVER_STATES } from '../bitbucket/states.js';
import type { CommitRange, RangeOptions, RangeReader } from '../commit-range.js';
import { basicFromUsernamePassword } from '../credentials.js';
import type { CommitStatus, ForgeClient, ForgeCredentials, WriteOptions, WriteResult } from '../forge.js';
import { dispatcherFor } from '../http/dispatcher.js';
import { type ForgeAnswer, ForgeHttp } from '../http/forge-http.js';
import { PROBE_CONTEXT, PROBE_SHA, type ProbeContext, type ProbeResult, probeByReading } from '../probe.js';
import { statusKey } from '../status-key.js';
import { bitbucketServerCommitRange } from './commit-range.js';
import type { BitbucketServerLocation } from './descriptor.js';
import { BITBUCKET_SERVER_TEXT_LIMIT } from './descriptor.js';

/** Bitbucket Server's limits for a build status, from its REST API description. */
const BITBUCKET_SERVER_URL_LIMIT = 450;

interface BuildStatus {
  state?: string;
  description?: string | null;
}

/** An HTTP access token is sent as Bearer; `username` and `password` as Basic. */
function authorization(credentials: ForgeCredentials, where: string): string {
  if (credentials.token !== undefined && credentials.token !== '') return `Bearer ${credentials.token}`;
  const basic = basicFromUsernamePassword(credentials);
  if (basic !== undefined) return basic;
  throw new RouteMisconfiguredError(
    `the secret for ${where} needs "token" (an HTTP access token) or "username" and "password"`,
  );
}

class BitbucketServerClient implements ForgeClient, RangeReader {
  readonly #http: ForgeHttp;

  constructor(
    private readonly location: BitbucketServerLocation,
    authorizationHeader: string,
    caCert: string | undefined,
  ) {
    this.#http = new ForgeHttp({
      where: `Bitbucket Server ${location.repository}`,
      apiUrl: location.apiUrl,
      // Atlassian's XSRF protection refuses some state-changing calls without `no-check`; JSON calls
      // pass today, but Flux sends both on every request, so a proxy or plugin that checks sees them.
      headers: {
        authorization: authorizationHeader,
        'x-atlassian-token': 'no-check',
        'x-requested-with': 'XMLHttpRequest',
      },
      dispatcher: dispatcherFor(caCert),
    });
  }

  /** 404 is an answer here: no status with this key on the commit yet. */
  readStatus(sha: string, context: string, deadline: number): Promise<ForgeAnswer> {
    return this.#http.request({
      method: 'GET',
      path: this.#builds(sha),
      query: { key: statusKey(context) },
      expect: [404],
      deadline,
    });
  }

  #builds(sha: string): string {
    const { projectKey, repoSlug } = this.location;
    return `/api/latest/projects/${encodeURIComponent(projectKey)}/repos/${encodeURIComponent(repoSlug)}/commits/${sha}/builds`;
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return bitbucketServerCommitRange(this.#http, this.location, base, head, options);
  }

  async write(status: CommitStatus, { deadline, checkForge }: WriteOptions): Promise<WriteResult> {
    const { webUrl } = this.location;
    const builds = this.#builds(status.sha);
    const key = statusKey(status.context);
    const state = BITBUCKET_SERVER_STATES[status.state];
    const description = truncate(status.description, BITBUCKET_SERVER_TEXT_LIMIT);
    const current =
      checkForge === false ? undefined : await this.readStatus(status.sha, status.context, deadline);
    const existing =
      current === undefined || current.status === 404 ? undefined : (current.body as BuildStatus | undefined);
    if (existing?.state === state && (existing.description ?? '') === description) {
      return { outcome: 'duplicate', forgeStatus: current?.status ?? 200 };
    }
    // `url` is required; a target URL too long for it gives way to the repository's page.
    const targetUrl = status.targetUrl ?? webUrl;
    const answer = await this.#http.request({
      method: 'POST',
      path: builds,
      deadline,
      body: {
        key,
        state,
        url: targetUrl.length <= BITBUCKET_SERVER_URL_LIMIT ? targetUrl : webUrl,
        name: truncate(status.context, BITBUCKET_SERVER_TEXT_LIMIT),
        description,
      },
    });
    return { outcome: 'written', forgeStatus: answer.status };
  }
}

export function createClient(
  location: BitbucketServerLocation,
  credentials: ForgeCredentials,
): BitbucketServerClient {
  const header = authorization(credentials, `Bitbucket Server ${location.repository}`);
  return new BitbucketServerClient(location, header, credentials.caCert);
}

/** The self-test's read: Bitbucket Server reads one status by key, which says nothing of write permission. */
export function probe(
  location: BitbucketServerLocation,
  credentials: ForgeCredentials,
  { label }: ProbeContext,
): Promise<ProbeResult> {
  return probeByReading(label, (deadline) =>
    createClient(location, credentials).readStatus(PROBE_SHA, PROBE_CONTEXT, deadline),
  );
}
