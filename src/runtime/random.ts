// Seeded randomness, so a simulated run is a function of its seed.

/**
 * The randomness a node uses (its election timeouts) and a simulated network uses (its faults):
 * {@link seededRandom} makes a run replayable from its seed, {@link systemRandom} does not.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [0, 2^53): the lab's rand.Int(), kept exact in a JS number. */
  safeInt(): number;
  /** An independent generator seeded from this one: a component gets its own stream. */
  fork(): Random;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded through splitmix32. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) uint32();
  const next = (): number => uint32() / 2 ** 32;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    safeInt: () => (uint32() >>> 11) * 2 ** 32 + uint32(),
    fork: () => seededRandom(uint32()),
  };
}

/** Math.random behind the same interface, for production nodes that need no replay. */
export const systemRandom: Random = {
  next: Math.random,
  int: (n) => Math.floor(Math.random() * n),
  safeInt: () => Math.floor(Math.random() * 2 ** 53),
  fork: () => seededRandom(Math.floor(Math.random() * 2 ** 32)),
};
