/** What every forge module implements: write one commit status, skipping it when already there. */
import type { CommitStatus } from '../core/commit-status.js';

export type { CommitStatus, StatusState } from '../core/commit-status.js';

/** A forge secret, laid out as Flux's provider secrets are. */
export interface ForgeCredentials {
  token?: string;
  username?: string;
  password?: string;
  /** PEM bundle for forges behind a private CA (Flux's `ca.crt` key). */
  caCert?: string;
  /** GitHub only, and only when there is no `token` (Flux's precedence). */
  githubApp?: GitHubAppCredentials;
}

/** Flux's `githubApp*` secret keys: an App id, its private key, and how to find the installation. */
export interface GitHubAppCredentials {
  appId: string;
  privateKey: string;
  /** Without it, the installation of `installationOwner`, or else of the route's repository. */
  installationId?: string;
  installationOwner?: string;
  /** GitHub Enterprise's API URL, when it is not the route's. */
  baseUrl?: string;
}

export interface WriteOptions {
  /** Epoch milliseconds after which no further attempt starts. */
  deadline: number;
  /**
   * False when the ledger has confirmed that the forge shows another status for this identity: the
   * duplicate check's read could only find that, so it is skipped. Read when unset.
   */
  checkForge?: boolean;
}

export interface WriteResult {
  outcome: 'written' | 'duplicate';
  /** The HTTP status of the last forge answer, for the log line. */
  forgeStatus?: number;
}

export interface ForgeClient {
  write(status: CommitStatus, options: WriteOptions): Promise<WriteResult>;
}

/** Where a repository lives, as read from a Provider address; each forge adds its own identifiers. */
export interface RepositoryLocation {
  /** Base URL of the forge's REST API, without a trailing slash. */
  apiUrl: string;
  /** The repository's web page. */
  webUrl: string;
  /** How people name the repository (`acme/fleet-infra`), for messages. */
  repository: string;
}
