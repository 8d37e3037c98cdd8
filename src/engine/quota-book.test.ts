import { describe, expect, it } from 'vitest';
import type { StoredQuota } from '../store/store.js';
import { QuotaBook } from './quota-book.js';

function memoryStore(initial: StoredQuota[] = []) {
  const saved: StoredQuota[] = [...initial];
  return {
    saved,
    saveQuota: (q: StoredQuota) => {
      saved.push(q);
      return Promise.resolve();
    },
    listQuotas: () => Promise.resolve(saved),
  };
}

describe('QuotaBook', () => {
  it('knows a source is exhausted until a future reset, and not after it', () => {
    const store = memoryStore();
    const book = new QuotaBook(store, () => {});
    const now = Date.parse('2030-01-01T00:00:00Z');
    book.report('unsplash', { remaining: 0, limit: 50, resetAt: '2030-01-01T01:00:00.000Z' });
    expect(book.exhaustedUntil('unsplash', now)).toBe('2030-01-01T01:00:00.000Z');
    expect(book.exhaustedUntil('unsplash', Date.parse('2030-01-01T02:00:00Z'))).toBeUndefined();
    book.report('unsplash', { remaining: 3, limit: 50, resetAt: '2030-01-01T01:00:00.000Z' });
    expect(book.exhaustedUntil('unsplash', now)).toBeUndefined();
    expect(store.saved).toHaveLength(2);
  });

  it('treats an unknown reset time as not exhausted (no way to know when to try again)', () => {
    const book = new QuotaBook(memoryStore(), () => {});
    book.report('pexels', { remaining: 0, limit: 200, resetAt: null });
    expect(book.exhaustedUntil('pexels')).toBeUndefined();
  });

  it('loads what an earlier process recorded', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const book = new QuotaBook(memoryStore([{ source: 'pixabay', remaining: 0, limit: 100, resetAt: future, updatedAt: new Date().toISOString() }]), () => {});
    await book.load();
    expect(book.exhaustedUntil('pixabay')).toBe(future);
  });

  it('catches up with a quota another worker heard later, and keeps its own when it is the newer', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const shared: StoredQuota[] = [];
    const book = new QuotaBook({ saveQuota: () => Promise.resolve(), listQuotas: () => Promise.resolve(shared) }, () => {});
    book.report('pexels', { remaining: 10, limit: 200, resetAt: future });
    shared.push({ source: 'pexels', remaining: 0, limit: 200, resetAt: future, updatedAt: '2999-01-01T00:00:00.000Z' });
    shared.push({ source: 'pixabay', remaining: 0, limit: 100, resetAt: future, updatedAt: '2000-01-01T00:00:00.000Z' });
    book.report('pixabay', { remaining: 50, limit: 100, resetAt: future });
    await book.load();
    expect(book.exhaustedUntil('pexels')).toBe(future);
    expect(book.exhaustedUntil('pixabay')).toBeUndefined();
  });

  it('reports a failed write instead of throwing', async () => {
    const errors: unknown[] = [];
    const book = new QuotaBook({ saveQuota: () => Promise.reject(new Error('disk')), listQuotas: () => Promise.resolve([]) }, (e) => errors.push(e));
    book.report('pexels', { remaining: 1, limit: 2, resetAt: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
  });
});
