import { ForgeRejectedError } from '../core/errors.js';

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
