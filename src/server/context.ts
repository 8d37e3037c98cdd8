import type { Config } from '../config/config.js';
import type { JobQueue } from '../services/job-queue.js';
import type { Runtime } from '../services/runtime.js';

/** What the routes use: the runtime (store, sources, live events, logger), the job queue and the config. */
export interface ServerContext {
  readonly runtime: Pick<Runtime, 'deps' | 'events' | 'logger'>;
  readonly queue: Pick<JobQueue, 'submit' | 'cancel' | 'counts'>;
  readonly config: Config;
  /** Epoch ms the app was built (health's uptime). */
  readonly startedAt: number;
  /** Event stream timing: the heartbeat, and how long a just-ended job's stream waits for its job.finished. */
  readonly sse: { readonly pingMs: number; readonly finishGraceMs: number };
}
