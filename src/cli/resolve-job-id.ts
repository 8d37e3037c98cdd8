import type { Store } from '../store/store.js';
import { UsageError } from './io.js';

/** The fewest characters of a job id that `trawl jobs show|cancel` look up as a prefix (git's minimum). */
export const MIN_JOB_ID_PREFIX = 4;
/** How many of the jobs an ambiguous prefix matches the error names. */
const CANDIDATES_SHOWN = 5;

/**
 * The full id of the job `given` names, as git resolves an abbreviated hash: `given` itself when a
 * job has that id, else the one job id it starts (at least MIN_JOB_ID_PREFIX characters). When
 * nothing matches, `given` comes back unchanged, so the caller's "job … does not exist" is the answer.
 * @throws UsageError (exit 2) when the prefix starts several job ids, naming a few of them.
 */
export async function resolveJobId(store: Pick<Store, 'findJobIds'>, given: string): Promise<string> {
  if (given.length < MIN_JOB_ID_PREFIX) return given;
  // In id order a full id comes before every longer id it starts, so an exact match is first.
  const ids = await store.findJobIds(given, CANDIDATES_SHOWN + 1);
  const [first] = ids;
  if (first === undefined || first === given) return given;
  if (ids.length === 1) return first;
  const count = ids.length > CANDIDATES_SHOWN ? `more than ${CANDIDATES_SHOWN} jobs, among them` : `${ids.length} jobs:`;
  throw new UsageError(`job id prefix "${given}" is ambiguous: it starts ${count} ${ids.slice(0, CANDIDATES_SHOWN).join(', ')}; give more of the id`);
}
