import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiClient, ApiError, NetworkError, type NewPerson, type Person } from '../api';
import { fullName } from '../format';

type Field = keyof NewPerson;

const FIELDS: { name: Field; label: string; autoComplete: string }[] = [
  { name: 'first_name', label: 'First name', autoComplete: 'given-name' },
  { name: 'last_name', label: 'Last name', autoComplete: 'family-name' },
  { name: 'company_name', label: 'Company', autoComplete: 'organization' },
];

const EMPTY: NewPerson = { first_name: '', last_name: '', company_name: '' };

interface PersonFormProps {
  api: ApiClient;
  onCreated: (person: Person) => void;
}

/** "first_name: must not be empty" → "Must not be empty": the field is already named by its label. */
function fieldMessage(field: string, detail: string): string {
  const text = detail.startsWith(`${field}: `) ? detail.slice(field.length + 2) : detail;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Adds a person. The API is the judge of what a valid name is (it trims and
 * bounds them), so its 422 problems are shown under the field they name.
 */
export function PersonForm({ api, onCreated }: PersonFormProps) {
  const [values, setValues] = useState<NewPerson>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputs = useRef<Partial<Record<Field, HTMLInputElement | null>>>({});
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitting(true);
    setFieldErrors({});
    setFormError(null);
    setAdded(null);
    try {
      const person = await api.createPerson(values);
      setValues(EMPTY);
      setAdded(`Added ${fullName(person)}.`);
      onCreated(person);
    } catch (error) {
      const field = error instanceof ApiError ? FIELDS.find((f) => f.name === error.field)?.name : undefined;
      if (error instanceof ApiError && field) {
        setFieldErrors({ [field]: fieldMessage(field, error.detail) });
        inputs.current[field]?.focus();
      } else if (error instanceof ApiError || error instanceof NetworkError) {
        setFormError(error.message);
      } else {
        setFormError(`Something went wrong: ${String(error)}`);
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="person-form" onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add a person</h2>
      {FIELDS.map(({ name, label, autoComplete }) => {
        const error = fieldErrors[name];
        return (
          <div className="field" key={name}>
            <label htmlFor={`${id}-${name}`}>{label}</label>
            <input
              id={`${id}-${name}`}
              ref={(element) => {
                inputs.current[name] = element;
              }}
              name={name}
              value={values[name]}
              required
              autoComplete={autoComplete}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-${name}-error` : undefined}
              onChange={(event) => {
                setValues({ ...values, [name]: event.target.value });
                setFieldErrors({ ...fieldErrors, [name]: undefined });
              }}
            />
            {error && (
              <p id={`${id}-${name}-error`} className="field-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={submitting}>
        {submitting ? 'Adding…' : 'Add person'}
      </button>
      <p className="muted" role="status">
        {added}
      </p>
    </form>
  );
}
