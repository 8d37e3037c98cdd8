/**
 * The new-job form's filters: minimum width and height, orientation, licences (codes and the
 * groups open, commercial, modify), safe search and image formats. They are sent as `filters` in
 * `POST /api/jobs`; the server checks them and names a bad one in its answer.
 */
import { IMAGE_FORMATS, LICENSE_CODES, ORIENTATIONS } from '../../../src/domain.js';
import { LICENSE_GROUPS } from '../../../src/filters/filters.js';
import type { NewJob } from '../api.js';

/** What the filter controls hold (texts as typed; empty is no constraint). */
export interface FilterChoices {
  minWidth: string;
  minHeight: string;
  orientation: string;
  /** Licence codes and group names ticked. */
  license: ReadonlySet<string>;
  safeSearch: boolean;
  format: ReadonlySet<string>;
}

/** The controls as they start: no constraint, safe search on. */
export const NO_FILTER_CHOICES: FilterChoices = { minWidth: '', minHeight: '', orientation: '', license: new Set(), safeSearch: true, format: new Set() };

const GROUP_LABELS: Record<keyof typeof LICENSE_GROUPS, string> = {
  open: 'open (any stated licence)',
  commercial: 'commercial (commercial use allowed)',
  modify: 'modify (changes allowed)',
};

/** The `filters` of the request, or undefined when nothing is constrained (the server's defaults apply). */
export function filtersBody(choices: FilterChoices): NewJob['filters'] {
  const filters: NonNullable<NewJob['filters']> = {};
  if (choices.minWidth.trim() !== '') filters.minWidth = Number(choices.minWidth);
  if (choices.minHeight.trim() !== '') filters.minHeight = Number(choices.minHeight);
  if (choices.orientation !== '') filters.orientation = choices.orientation;
  if (choices.license.size > 0) filters.license = [...choices.license];
  if (!choices.safeSearch) filters.safeSearch = false;
  if (choices.format.size > 0) filters.format = [...choices.format];
  return Object.keys(filters).length > 0 ? filters : undefined;
}

/** The filter controls. */
export function FilterFields({ choices, onChange }: { choices: FilterChoices; onChange: (choices: FilterChoices) => void }) {
  const toggle = (key: 'license' | 'format', name: string, on: boolean): void => {
    const next = new Set(choices[key]);
    if (on) next.add(name);
    else next.delete(name);
    onChange({ ...choices, [key]: next });
  };
  const side = (key: 'minWidth' | 'minHeight', label: string) => (
    <label class="field">
      <span>{label}</span>
      <input data-testid={`filter-${key}`} name={key} type="number" min={1} max={65535} step={1} placeholder="any" value={choices[key]} onInput={(e) => onChange({ ...choices, [key]: e.currentTarget.value })} />
    </label>
  );
  const box = (key: 'license' | 'format', name: string, label: string) => (
    <label key={name} class="choice">
      <input type="checkbox" data-testid={`filter-${key}-${name}`} checked={choices[key].has(name)} onChange={(e) => toggle(key, name, e.currentTarget.checked)} /> {label}
    </label>
  );
  return (
    <fieldset class="field filters" data-testid="filters">
      <legend>Filters</legend>
      <div class="field-row">
        {side('minWidth', 'Min width (px)')}
        {side('minHeight', 'Min height (px)')}
        <label class="field">
          <span>Orientation</span>
          <select data-testid="filter-orientation" name="orientation" value={choices.orientation} onChange={(e) => onChange({ ...choices, orientation: e.currentTarget.value })}>
            <option value="">any</option>
            {ORIENTATIONS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label class="field choice safe-search">
          <input type="checkbox" data-testid="filter-safeSearch" checked={choices.safeSearch} onChange={(e) => onChange({ ...choices, safeSearch: e.currentTarget.checked })} /> Safe search
        </label>
      </div>
      <div class="field">
        <span>Licences</span>
        <div class="choices">{Object.entries(GROUP_LABELS).map(([group, label]) => box('license', group, label))}</div>
        <div class="choices">{LICENSE_CODES.map((code) => box('license', code, code))}</div>
      </div>
      <div class="field">
        <span>Image formats</span>
        <div class="choices">{IMAGE_FORMATS.map((format) => box('format', format, format))}</div>
      </div>
    </fieldset>
  );
}
