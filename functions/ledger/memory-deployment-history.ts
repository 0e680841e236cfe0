import type { DeploymentHistory } from './deployment-history.js';
import { MemoryStore } from './memory-store.js';

/** The deployment histories of one process (see `MemoryStore`). */
export class MemoryDeploymentHistory extends MemoryStore<DeploymentHistory> {}
