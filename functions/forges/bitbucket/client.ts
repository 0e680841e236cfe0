import { RouteMisconfiguredError } from '../../core/errors.js';
import type { CommitRange, RangeOptions, RangeReader } from '../commit-range.js';
import { basicAuthorization, basicFromUsernamePassword } from '../credentials.js';
import type { CommitStatus, ForgeClient, ForgeCredentials, WriteOptions, WriteResult } from '../forge.js';
import { dispatcherFor } from '../http/dispatcher.js';
import { type ForgeAnswer, ForgeHttp } from '../http/forge-http.js';
import { PROBE_CONTEXT, PROBE_SHA, type ProbeContext, type ProbeResult, probeByReading } from '../probe.js';
import { statusKey } from '../status-key.js';
import { bitbucketCommitRange } from './commit-range.js';
import type { BitbucketLocation } from './descriptor.js';
import { BITBUCKET_STATES } from './states.js';

interface BitbucketStatus {
  state?: string;
  description?: string | null;
}

/**
 * `token` holding `<username>:<app password>` (Flux's layout) or `<Atlassian e-mail>:<API token>` is
 * sent as Basic; a token without a colon is a repository, project or workspace access token, sent
 * as Bearer. `username` and `password` keys are Basic too.
 */
function authorization(credentials: ForgeCredentials, where: string): string {
  const { token } = credentials;
  if (token !== undefined && token !== '') {
    const colon = token.indexOf(':');
    return colon > 0 ? basicAuthorization(token.slice(0, colon), token.slice(colon + 1)) : `Bearer ${token}`;
  }
  const basic = basicFromUsernamePassword(credentials);
  if (basic !== undefined) return basic;
  throw new RouteMisconfiguredError(
    `the secret for ${where} needs "token" (an access token, or <username>:<app password>) or "username" and "password"`,
  );
}

class BitbucketClient implements ForgeClient, RangeReader {
  readonly #http: ForgeHttp;

  constructor(
    private readonly location: BitbucketLocation,
    authorizationHeader: string,
    caCert: string | undefined,
  ) {
    this.#http = new ForgeHttp({
      where: `Bitbucket ${location.repository}`,
      apiUrl: location.apiUrl,
      headers: { authorization: authorizationHeader },
      dispatcher: dispatcherFor(caCert),
    });
  }

  /** 404 is an answer here: no status with this key on the commit yet. */
  readStatus(sha: string, context: string, deadline: number): Promise<ForgeAnswer> {
    const path = `${this.#builds(sha)}/${statusKey(context)}`;
    return this.#http.request({ method: 'GET', path, expect: [404], deadline });
  }

  #builds(sha: string): string {
    const { workspace, repoSlug } = this.location;
    return `/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(repoSlug)}/commit/${sha}/statuses/build`;
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return bitbucketCommitRange(this.#http, this.location, base, head, options);
  }

  async write(status: CommitStatus, { deadline, checkForge }: WriteOptions): Promise<WriteResult> {
    const { webUrl } = this.location;
    const builds = this.#builds(status.sha);
    const key = statusKey(status.context);
    const state = BITBUCKET_STATES[status.state];
    const current =
      checkForge === false ? undefined : await this.readStatus(status.sha, status.context, deadline);
    const existing =
      current === undefined || current.status === 404
        ? undefined
        : (current.body as BitbucketStatus | undefined);
    if (existing?.state === state && (existing.description ?? '') === status.description) {
      return { outcome: 'duplicate', forgeStatus: current?.status ?? 200 };
    }
    // Bitbucket upserts by key; its UI shows a status without a link as broken, so the repository stands in.
    const answer = await this.#http.request({
      method: 'POST',
      path: builds,
      deadline,
      body: {
        key,
        state,
        name: status.context,
        url: status.targetUrl ?? webUrl,
        description: status.description,
      },
    });
    return { outcome: 'written', forgeStatus: answer.status };
  }
}

export function createClient(location: BitbucketLocation, credentials: ForgeCredentials): BitbucketClient {
  const header = authorization(credentials, `Bitbucket ${location.repository}`);
  return new BitbucketClient(location, header, credentials.caCert);
}

/** The self-test's read: Bitbucket reads one status by key, which says nothing of write permission. */
export function probe(
  location: BitbucketLocation,
  credentials: ForgeCredentials,
  { label }: ProbeContext,
): Promise<ProbeResult> {
  return probeByReading(label, (deadline) =>
    createClient(location, credentials).readStatus(PROBE_SHA, PROBE_CONTEXT, deadline),
  );
}
