import * as z from 'zod/mini';
import type { OptionsOf } from '../descriptor.js';

export const AZURE_DEVOPS_OPTIONS = {
  /** The state of a failure: `error` (Flux's choice, the default) or `failed`. */
  failureState: z.optional(z.enum(['error', 'failed'])),
};

export type AzureDevOpsOptions = OptionsOf<typeof AZURE_DEVOPS_OPTIONS>;
