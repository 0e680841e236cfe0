import { type Dispatcher, fetch } from 'undici';
import { ForgeUnavailableError } from '../../core/errors.js';
import { deadlineSignal, remainingMs } from '../deadline.js';
import {
  attemptsText,
  type ConnectionFault,
  connectionFault,
  finalRejection,
  forgeMessage,
  keptFailing,
  UNTRUSTED_CERTIFICATE,
  unreachable,
} from '../forge-errors.js';

export type QueryValue = string | number | boolean | undefined;

export interface ForgeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Appended to the API URL, with its segments already encoded. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** Epoch milliseconds after which no attempt starts and no wait begins. */
  deadline: number;
  /** Answers that are results rather than failures, such as 404 for "no status with this key yet". */
  expect?: readonly number[];
}

export interface ForgeAnswer {
  status: number;
  headers: Headers;
  /** The JSON body, or undefined when there was none. */
  body: unknown;
}

export interface ForgeHttpOptions {
  /** Names the forge and the repository in every message: `Gitea acme/fleet-infra`. */
  where: string;
  apiUrl: string;
  headers: Readonly<Record<string, string>>;
  dispatcher: Dispatcher;
}

/** Three attempts, as the GitHub client makes, all within the request's deadline. */
const MAX_ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 250;

type Attempt =
  | { kind: 'answer'; answer: ForgeAnswer }
  /** 429 or 5xx: the forge is there but cannot take the request now. */
  | { kind: 'busy'; answer: ForgeAnswer }
  | { kind: 'unreachable'; fault: ConnectionFault };

/**
 * JSON over undici for every forge but GitHub (gitbeaker's calls for GitLab come through here too),
 * with one retry policy: 5xx, 429 and connection faults are tried again with exponential backoff, or
 * after the forge's Retry-After when it asks for one, but only while the wait still ends before the
 * deadline. Any other 4xx is final at once. Messages carry the status and the forge's message field.
 */
export class ForgeHttp {
  constructor(private readonly options: ForgeHttpOptions) {}

  async request(request: ForgeRequest): Promise<ForgeAnswer> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.#attempt(request);
      if (result.kind === 'answer') return result.answer;
      const wait = waitBefore(result, attempt);
      if (attempt >= MAX_ATTEMPTS || Date.now() + wait.ms >= request.deadline) {
        throw this.#giveUp(result, attempt, attempt < MAX_ATTEMPTS && wait.asked ? wait.ms : undefined);
      }
      await new Promise((done) => setTimeout(done, wait.ms));
    }
  }

  async #attempt(request: ForgeRequest): Promise<Attempt> {
    const { where } = this.options;
    if (remainingMs(request.deadline) <= 0)
      throw new ForgeUnavailableError(`${where} did not answer in time`);
    const signal = deadlineSignal(request.deadline);
    let answer: ForgeAnswer;
    try {
      const response = await fetch(this.#url(request), {
        method: request.method,
        headers: {
          accept: 'application/json',
          'user-agent': 'flux-commit-status',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.options.headers,
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        // A 301 or 302 would turn the POST into a GET that "succeeds" without writing anything.
        redirect: 'manual',
        signal,
        dispatcher: this.options.dispatcher,
      });
      answer = { status: response.status, headers: response.headers, body: parseJson(await response.text()) };
    } catch (error) {
      if (signal.aborted) throw new ForgeUnavailableError(`${where} did not answer in time`);
      const fault = connectionFault(error, this.options.apiUrl) ?? {
        code: (error as Error).name,
        host: new URL(this.options.apiUrl).host,
      };
      if (UNTRUSTED_CERTIFICATE.has(fault.code)) throw unreachable(where, fault, '1 attempt');
      return { kind: 'unreachable', fault };
    }
    const { status } = answer;
    if ((status >= 200 && status < 300) || request.expect?.includes(status))
      return { kind: 'answer', answer };
    if (status === 429 || status >= 500) return { kind: 'busy', answer };
    if (status >= 300 && status < 400) {
      const target = answer.headers.get('location') ?? 'another address';
      throw finalRejection(
        where,
        status,
        `redirects to ${target}; set the provider's address or apiUrl to it`,
      );
    }
    throw finalRejection(where, status, forgeMessage(answer.body));
  }

  #url(request: ForgeRequest): string {
    const url = new URL(`${this.options.apiUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** `askedWaitMs` is the forge's Retry-After when that wait is what ran past the deadline. */
  #giveUp(
    result: Exclude<Attempt, { kind: 'answer' }>,
    attempts: number,
    askedWaitMs: number | undefined,
  ): ForgeUnavailableError {
    const { where } = this.options;
    if (result.kind === 'unreachable') return unreachable(where, result.fault, attemptsText(attempts));
    const { status, body } = result.answer;
    return keptFailing(where, status, attempts, forgeMessage(body), askedWaitMs);
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function waitBefore(
  result: Exclude<Attempt, { kind: 'answer' }>,
  attempt: number,
): { ms: number; asked: boolean } {
  const asked = result.kind === 'busy' ? retryAfterMs(result.answer.headers.get('retry-after')) : undefined;
  if (asked !== undefined) return { ms: asked, asked: true };
  // Jitter keeps the relays of many clusters from retrying in step.
  return { ms: FIRST_BACKOFF_MS * 2 ** (attempt - 1) * (0.75 + Math.random() / 2), asked: false };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // An HTML error page from a proxy says nothing the status does not.
    return undefined;
  }
}
