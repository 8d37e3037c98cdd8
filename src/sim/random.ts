/**
 * Deterministic randomness for the simulator: the same key always yields the same numbers, so media
 * bytes and API answers are stable across runs yet differ between items.
 */

/** FNV-1a (32-bit) of a string: a cheap, stable seed for {@link seededUint32}. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A generator of 32-bit unsigned integers (mulberry32), seeded by a number or a string key. */
export function seededUint32(seed: number | string): () => number {
  let state = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}


/** Fills `target` with incompressible pseudo-random bytes derived from `seed`. */
export function fillNoise(target: Buffer, seed: number | string): Buffer {
  const next = seededUint32(seed);
  const whole = target.length - (target.length % 4);
  for (let i = 0; i < whole; i += 4) target.writeUInt32LE(next(), i);
  for (let i = whole; i < target.length; i++) target[i] = next() & 0xff;
  return target;
}
