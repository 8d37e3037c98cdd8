import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrawlError } from '../errors.js';
import { Budget } from './budget.js';
import { alertNearDeadline } from './budget-alert.js';
import { EventBus, type JobEvent } from './events.js';

function collect(bus: EventBus): JobEvent[] {
  const events: JobEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return events;
}

describe('alertNearDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('raises one alert at 80% of the budget while the work goes on', () => {
    const bus = new EventBus();
    const events = collect(bus);
    const budget = Budget.root('job', 200, 'TRAWL_JOB_TIMEOUT');
    alertNearDeadline(bus, budget, { jobId: 'j1', source: 'nasa', label: 'source nasa' });
    vi.advanceTimersByTime(150);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'alert', data: { jobId: 'j1', source: 'nasa', level: 'warning' } });
    const alert = events[0]?.name === 'alert' ? events[0].data.message : '';
    expect(alert).toMatch(/source nasa has used 80% of its 200ms budget/);
    budget.dispose();
  });

  it('stays silent when the work ends first, or the budget was cancelled', () => {
    const bus = new EventBus();
    const events = collect(bus);
    const finished = Budget.root('job', 100, 'TRAWL_JOB_TIMEOUT');
    alertNearDeadline(bus, finished, { jobId: 'j1', label: 'job j1' })();
    const cancelled = Budget.root('job', 100, 'TRAWL_JOB_TIMEOUT');
    alertNearDeadline(bus, cancelled, { jobId: 'j2', label: 'job j2' });
    cancelled.abort(new TrawlError('TRAWL_CANCELLED', 'stop'));
    vi.advanceTimersByTime(150);
    expect(events).toEqual([]);
  });
});
