// Does `AbortSignal.any` still leak on a long-lived parent (nodejs/node#55351)? Budget and exchange
// derive child signals by hand instead; this measures both ways on the running Node, so the choice
// can be re-made per runtime: `node --expose-gc bench/abort-signal-any.mjs [children]`.
// Plain .mjs (no build step) so it runs the same on every Node in the range.
const children = Number(process.argv[2] ?? 200_000);
if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc');
  process.exit(2);
}

/** One request's worth: a child signal of `parent`, used once, then dropped. */
const ways = {
  'AbortSignal.any': (parent) => {
    const own = new AbortController();
    const child = AbortSignal.any([parent, own.signal]);
    child.addEventListener('abort', () => undefined, { once: true });
    own.abort();
  },
  'by hand (Budget, exchange)': (parent) => {
    const own = new AbortController();
    const forward = () => own.abort(parent.reason);
    parent.addEventListener('abort', forward, { once: true });
    own.signal.addEventListener('abort', () => undefined, { once: true });
    own.abort();
    parent.removeEventListener('abort', forward);
  },
};

async function settle() {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
  }
}

async function measure(derive) {
  const parent = new AbortController().signal; // a job's or the process's signal: lives throughout
  await settle();
  const before = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  for (let i = 0; i < children; i++) {
    derive(parent);
    if (i % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  await settle();
  const retainedBytes = process.memoryUsage().heapUsed - before;
  return { elapsedMs, retainedBytes, parent };
}

console.log(`node ${process.version}, ${children.toLocaleString('en')} child signals of one long-lived parent`);
console.log('way | time | heap retained after GC | per child');
for (const [name, derive] of Object.entries(ways)) {
  const { elapsedMs, retainedBytes, parent } = await measure(derive);
  const perChild = retainedBytes / children;
  console.log(`${name} | ${elapsedMs.toFixed(0)} ms | ${(retainedBytes / 1024 / 1024).toFixed(2)} MiB | ${perChild.toFixed(1)} B`);
  void parent.aborted; // keep the parent alive until measured
}
