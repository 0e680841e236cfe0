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
  /**
   * When the forge's own write spacing (GitHub's) would hold the write longer than this, it throws
   * WriteDeferredError instead of waiting: set by a caller that can queue the delivery.
   */
  deferAfterMs?: number;
}

export interface WriteResult {
  outcome: 'written' | 'duplicate';
  /** The HTTP status of the last forge answer, for the log line. */
  forgeStatus?: number;
}

export interface ForgeClient {
  write(status: CommitStatus, options: WriteOptions): Promise<WriteResult>;
}

/** GitHub's `repository_dispatch`: the promotion signal of an environment (README "Environments"). */
export interface RepositoryDispatcher {
  dispatch(
    eventType: string,
    clientPayload: Record<string, unknown>,
    options: { deadline: number },
  ): Promise<void>;
}

/** A GitHub deployment status; `in_progress` stands for a pending roll-up, `error` for no verdict. */
export interface DeploymentStatus {
  state: 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';
  description: string;
  environmentUrl?: string;
  logUrl?: string;
  autoInactive: boolean;
}

/** GitHub Deployments: one per commit and fleet environment (README "Environments"). */
export interface DeploymentWriter {
  findDeployment(
    sha: string,
    environment: string,
    options: { deadline: number },
  ): Promise<number | undefined>;
  createDeployment(deployment: NewDeployment, options: DeploymentWriteOptions): Promise<number>;
  /** Whether the deployment's newest status is this one already (its description as GitHub keeps it). */
  deploymentShows(
    id: number,
    state: DeploymentStatus['state'],
    description: string,
    options: { deadline: number },
  ): Promise<boolean>;
  createDeploymentStatus(
    id: number,
    status: DeploymentStatus,
    options: DeploymentWriteOptions,
  ): Promise<void>;
}

/** A deployment write's deadline, and when its spacing would rather throw than wait (WriteOptions). */
export type DeploymentWriteOptions = Pick<WriteOptions, 'deadline' | 'deferAfterMs'>;

/** A deployment of a commit to an environment, as GitHub creates it once. */
export interface NewDeployment {
  sha: string;
  environment: string;
  description: string;
  productionEnvironment?: boolean;
  /** GitHub's free-form `payload`: what the deployment carried (functions/ranges/). */
  payload?: Record<string, unknown>;
  /** A preview's: GitHub's auto_inactive leaves it alone, the delivery sets it inactive itself. */
  transientEnvironment?: boolean;
}

export function canDeploy(client: ForgeClient): client is ForgeClient & DeploymentWriter {
  return typeof (client as Partial<DeploymentWriter>).createDeploymentStatus === 'function';
}

/**
 * A change request's comment (Flux 2.8's pull- and merge-request comment providers): the comment
 * whose body starts with the hidden key is edited in place, or created; `unchanged` when it already
 * says `body`. Two containers that both found none may both create one: every comment with the key
 * is edited, so each of them shows the newest verdict.
 */
export interface ChangeRequestCommenter {
  upsertComment(
    comment: { changeRequest: number; marker: string; body: string },
    options: { deadline: number },
  ): Promise<'created' | 'edited' | 'unchanged'>;
}

export function canComment(client: ForgeClient): client is ForgeClient & ChangeRequestCommenter {
  return typeof (client as Partial<ChangeRequestCommenter>).upsertComment === 'function';
}

export function canDispatch(client: ForgeClient): client is ForgeClient & RepositoryDispatcher {
  return typeof (client as Partial<RepositoryDispatcher>).dispatch === 'function';
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
