import type fc from 'fast-check';
import type { StatusLedger } from '../../functions/ledger/status-ledger.js';

/** A container's view of the shared ledger: each answer arrives when the scheduler says. */
export function scheduledLedger(s: fc.Scheduler, ledger: StatusLedger): StatusLedger {
  return {
    read: s.scheduleFunction((key: string) => ledger.read(key)),
    swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
      ledger.swap(key, version, next),
    ),
  };
}

/** A point where the scheduler may run anything else before this step goes on. */
export const step = (s: fc.Scheduler, label: string) => s.schedule(Promise.resolve(label), label);
