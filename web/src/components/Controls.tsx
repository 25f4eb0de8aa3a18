import { useId } from 'react';
import { LIMITS, type FieldErrors, type SettingsDraft, type SettingsField } from '../url';

interface ControlsProps {
  draft: SettingsDraft;
  errors: FieldErrors;
  onChange: (field: keyof SettingsDraft, value: string) => void;
  /** Leaving a field applies it at once rather than after the typing pause. */
  onBlur: () => void;
}

interface FieldSpec {
  name: keyof SettingsDraft;
  /** The API's name of the field, which its problems use. */
  apiField: SettingsField;
  label: string;
  type: 'date' | 'number';
  min?: number;
  max?: number;
  testId?: string;
}

const FIELDS: FieldSpec[] = [
  { name: 'start', apiField: 'start', label: 'Start date', type: 'date' },
  { name: 'end', apiField: 'end', label: 'End date', type: 'date' },
  {
    name: 'distance',
    apiField: 'distance',
    label: 'Distance (m)',
    type: 'number',
    min: LIMITS.distance.min,
    max: LIMITS.distance.max,
    testId: 'distance',
  },
  { name: 'windowMinutes', apiField: 'window', label: 'Window (min)', type: 'number', min: 0, max: LIMITS.window.max / 60 },
  {
    name: 'minDurationMinutes',
    apiField: 'min_duration',
    label: 'Shortest meeting (min)',
    type: 'number',
    min: 0,
    max: LIMITS.minDuration.max / 60,
  },
];

const HELP: Partial<Record<keyof SettingsDraft, string>> = {
  end: 'The whole day counts.',
  distance: 'How close counts as met.',
  windowMinutes: 'Longest gap between pings.',
  minDurationMinutes: 'Hides people passing by.',
};

/** The period and the meaning of "met"; the view refreshes as they change. */
export function Controls({ draft, errors, onChange, onBlur }: ControlsProps) {
  const id = useId();
  return (
    <fieldset className="controls">
      <legend className="visually-hidden">Period and meeting settings</legend>
      {FIELDS.map(({ name, apiField, label, type, min, max, testId }) => {
        const error = errors[apiField];
        const describedBy = [HELP[name] && `${id}-${name}-help`, error && `${id}-${name}-error`]
          .filter(Boolean)
          .join(' ');
        return (
          <div className={`field field-${type}`} key={name}>
            <label htmlFor={`${id}-${name}`}>{label}</label>
            <input
              id={`${id}-${name}`}
              type={type}
              value={draft[name]}
              min={min}
              max={max}
              step={type === 'number' ? 'any' : undefined}
              inputMode={type === 'number' ? 'decimal' : undefined}
              required
              data-testid={testId}
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy || undefined}
              onChange={(event) => onChange(name, event.target.value)}
              onBlur={onBlur}
            />
            {HELP[name] && (
              <p id={`${id}-${name}-help`} className="field-help">
                {HELP[name]}
              </p>
            )}
            {error && (
              <p id={`${id}-${name}-error`} className="field-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
