import { ForgeRejectedError, ForgeUnavailableError } from '../core/errors.js';
import { truncate } from '../core/text.js';

/** The clear word for a forge's final refusal, the same for every forge. */
export function finalRejection(where: string, status: number, message: string): ForgeRejectedError {
  const detail = `${where} answered ${status}: ${message}`;
  if (status === 401 || status === 403) {
    return new ForgeRejectedError(`token lacks permission to write commit statuses (${detail})`, status);
  }
  if (status === 404) {
    return new ForgeRejectedError(
      `repository or commit not found, or the token cannot see it (${detail})`,
      status,
    );
  }
  return new ForgeRejectedError(`the forge refused the status (${detail})`, status);
}

/** Certificate faults that another attempt cannot cure: the relay is missing the forge's CA. */
export const UNTRUSTED_CERTIFICATE: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface ConnectionFault {
  /** The system's word: ECONNREFUSED, ENOTFOUND, ETIMEDOUT, CERT_HAS_EXPIRED… */
  code: string;
  /** The host the connection went to, from the system error when it names one. */
  host: string;
}

type Faulty = { code?: unknown; hostname?: unknown; address?: unknown; port?: unknown; cause?: unknown };

/**
 * The connection fault under a failed request, or undefined when the forge answered. fetch wraps it
 * (`TypeError: fetch failed`), octokit wraps that again in a status-500 RequestError, and Node's
 * happy-eyeballs connect reports one error per address in an AggregateError.
 */
export function connectionFault(error: unknown, apiUrl: string): ConnectionFault | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const { code, hostname, address, port, cause } = current as Faulty;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) {
      const host =
        typeof hostname === 'string'
          ? hostname
          : typeof address === 'string'
            ? `${address}${typeof port === 'number' ? `:${port}` : ''}`
            : new URL(apiUrl).host;
      // undici's own connect timer, the same fault as the system's.
      return { code: code === 'UND_ERR_CONNECT_TIMEOUT' ? 'ETIMEDOUT' : code, host };
    }
    const errors = (current as { errors?: unknown }).errors;
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

/** The same words for every forge, and no forge status: no forge answered. */
export function unreachable(where: string, fault: ConnectionFault, tries: string): ForgeUnavailableError {
  if (UNTRUSTED_CERTIFICATE.has(fault.code)) {
    return new ForgeUnavailableError(
      `${where} at ${fault.host} presented a TLS certificate that is not trusted (${fault.code}); if the forge uses a private CA, put its PEM bundle in the secret as ca.crt`,
    );
  }
  return new ForgeUnavailableError(
    `${where} could not be reached at ${fault.host} (${fault.code}) after ${tries}; check the provider's apiUrl and the network`,
  );
}

/** Enough of a forge's words to say what it refused, not a page of HTML or a stack trace. */
const MESSAGE_LIMIT = 300;

/**
 * The forge's own words: `message` (Gitea, GitLab, Azure DevOps), `error` (GitLab), `error.message`
 * (Bitbucket Cloud), `errors[0].message` (Bitbucket Server), or GitHub's `message`, from an
 * answer's parsed body.
 */
export function forgeMessage(body: unknown): string {
  const text = messageIn(body);
  return text === undefined || text === '' ? 'no message' : truncate(text, MESSAGE_LIMIT);
}

function messageIn(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { message, error, errors } = body as Record<string, unknown>;
  if (typeof message === 'string') return message;
  // GitLab names the fields it refused: {"message": {"target_url": ["is blocked"]}}.
  if (typeof message === 'object' && message !== null) return JSON.stringify(message);
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) return messageIn(error);
  if (Array.isArray(errors)) return messageIn(errors[0]);
  return undefined;
}

/** "1 attempt", "3 attempts": how every forge's final answer counts its tries. */
export function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

/**
 * A forge that kept failing, in the same words for every forge. `askedWaitMs` is the wait the forge
 * asked for (Retry-After, a rate limit's reset) when that wait is what ran past the deadline.
 */
export function keptFailing(
  where: string,
  status: number,
  attempts: number,
  message: string,
  askedWaitMs?: number,
): ForgeUnavailableError {
  const late =
    askedWaitMs === undefined
      ? ''
      : `; it asks to wait ${Math.ceil(askedWaitMs / 1000)} s, past this request's deadline`;
  return new ForgeUnavailableError(
    `${where} answered ${status} after ${attemptsText(attempts)}: ${message}${late}`,
    status,
  );
}
