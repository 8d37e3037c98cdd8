/**
 * The new-job form: query, sources (unconfigured ones disabled, with the reason), type, limit,
 * budgets and filters. Submits `POST /api/jobs` and opens the new job's page; the API's 400 message, which
 * names the bad field, shows beside the button.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type NewJob, type SourceStatus, api, errorText } from '../api.js';
import { jobPath, navigate } from '../router.js';
import { type FilterChoices, FilterFields, NO_FILTER_CHOICES, filtersBody } from './filter-fields.js';

type Budgets = { request: string; source: string; job: string };
type Options = { type: string; limit: string; budgets: Budgets };

/** The form; it loads the source list itself. */
export function JobForm() {
  const picker = useSourceChoices();
  const [query, setQuery] = useState('');
  const [options, setOptions] = useState<Options>({ type: 'image', limit: '', budgets: { request: '', source: '', job: '' } });
  const [filters, setFilters] = useState<FilterChoices>(NO_FILTER_CHOICES);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mounted = useRef(new AbortController());
  useEffect(() => () => mounted.current.abort(), []);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const { signal } = mounted.current;
    setBusy(true);
    setError(null);
    try {
      const job = await api.createJob(formBody(query, picker.sources ? [...picker.selected] : undefined, options, filters), signal);
      navigate(jobPath(job.id));
    } catch (err) {
      if (!signal.aborted) setError(errorText(err));
    } finally {
      if (!signal.aborted) setBusy(false);
    }
  };

  return (
    <form class="card job-form" data-testid="job-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h2>New job</h2>
      <label class="field field-query">
        <span>Query</span>
        <input data-testid="query" name="query" type="search" required maxLength={500} placeholder="e.g. red fox" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <SourcePicker {...picker} />
      <JobOptions options={options} onChange={setOptions} />
      <FilterFields choices={filters} onChange={setFilters} />
      <div class="form-actions">
        <button data-testid="submit" type="submit" class="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start job'}
        </button>
        {error !== null && (
          <p class="form-error" role="alert" data-testid="form-error">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}

/** The sources from the API, with every configured one ticked to start with. */
function useSourceChoices(): SourcePickerProps {
  const [sources, setSources] = useState<SourceStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const controller = new AbortController();
    api.listSources(controller.signal).then(
      ({ sources: list }) => {
        setSources(list);
        setSelected(new Set(list.filter((s) => s.configured).map((s) => s.id)));
      },
      (err: unknown) => !controller.signal.aborted && setError(errorText(err)),
    );
    return () => controller.abort();
  }, []);
  const onToggle = (id: string, on: boolean): void => {
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  return { sources, error, selected, onToggle };
}

/** The POST body: empty fields are left out so the server's defaults apply. */
function formBody(query: string, sources: string[] | undefined, { type, limit, budgets }: Options, choices: FilterChoices): NewJob {
  const timeouts: NonNullable<NewJob['timeouts']> = {};
  for (const key of ['request', 'source', 'job'] as const) {
    if (budgets[key].trim() !== '') timeouts[key] = budgets[key].trim();
  }
  const filters = filtersBody(choices);
  return {
    query,
    type,
    ...(sources ? { sources } : {}),
    ...(limit.trim() !== '' ? { limit: Number(limit) } : {}),
    ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
    ...(filters ? { filters } : {}),
  };
}

interface SourcePickerProps {
  sources: SourceStatus[] | null;
  error: string | null;
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
}

function SourcePicker({ sources, error, selected, onToggle }: SourcePickerProps) {
  return (
    <fieldset class="field sources-picker">
      <legend>Sources</legend>
      {error !== null && <p class="form-error">Could not load the sources: {error}. The server's default sources will be used.</p>}
      {sources === null && error === null && <p class="muted">Loading sources…</p>}
      {sources?.map((s) => (
        <label key={s.id} class={`source-choice${s.configured ? '' : ' disabled'}`}>
          <input
            type="checkbox"
            data-testid={`source-${s.id}`}
            value={s.id}
            disabled={!s.configured}
            checked={s.configured && selected.has(s.id)}
            onChange={(e) => onToggle(s.id, e.currentTarget.checked)}
          />
          <span class="source-name">{s.name}</span>
          <span class="muted"> {s.kinds.join(', ')}</span>
          {!s.configured && <span class="reason">{s.reason ?? 'not configured'}</span>}
        </label>
      ))}
    </fieldset>
  );
}

function JobOptions({ options, onChange }: { options: Options; onChange: (options: Options) => void }) {
  const budget = (name: keyof Budgets, label: string, placeholder: string) => (
    <label class="field">
      <span>{label}</span>
      <input
        data-testid={`timeout-${name}`}
        name={`timeout-${name}`}
        type="text"
        placeholder={placeholder}
        value={options.budgets[name]}
        onInput={(e) => onChange({ ...options, budgets: { ...options.budgets, [name]: e.currentTarget.value } })}
      />
    </label>
  );
  return (
    <div class="field-row">
      <label class="field">
        <span>Type</span>
        <select data-testid="type" name="type" value={options.type} onChange={(e) => onChange({ ...options, type: e.currentTarget.value })}>
          <option value="image">images</option>
          <option value="video">videos</option>
          <option value="all">images and videos</option>
        </select>
      </label>
      <label class="field">
        <span>Limit per source</span>
        <input data-testid="limit" name="limit" type="number" min={1} max={1000} step={1} placeholder="20" value={options.limit} onInput={(e) => onChange({ ...options, limit: e.currentTarget.value })} />
      </label>
      {budget('request', 'Request budget', '10s')}
      {budget('source', 'Source budget', '30s')}
      {budget('job', 'Job budget', '300s')}
    </div>
  );
}
