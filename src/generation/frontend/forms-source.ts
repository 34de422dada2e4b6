// web/src/forms.tsx: what every resource's views share. Form state is text (as inputs hold it); each view's
// generated converters turn it into the typed bodies of web/src/api.ts, so the compiler checks the match.

export function formsSource({ auth }: { auth: boolean }): string {
  return `import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from './api';${auth ? "\nimport { Link, currentPath } from './router';" : ''}

export type FormValue = string | boolean | readonly string[];
export type FormValues = Readonly<Record<string, FormValue>>;

export interface Option {
  readonly value: string;
  readonly label: string;
}

interface FieldBase {
  readonly name: string;
  readonly label: string;
  readonly required: boolean;
  readonly description?: string;
}

export type FormField =
  | (FieldBase & {
      readonly kind: 'string' | 'text' | 'email' | 'url' | 'uuid' | 'date' | 'datetime';
      readonly minLength?: number;
      readonly maxLength?: number;
    })
  | (FieldBase & { readonly kind: 'integer' | 'number'; readonly minimum?: number; readonly maximum?: number })
  | (FieldBase & { readonly kind: 'boolean' })
  | (FieldBase & { readonly kind: 'enum'; readonly values: readonly string[] })
  | (FieldBase & { readonly kind: 'reference' | 'references'; readonly load: () => Promise<Option[]> });

function textOf(values: FormValues, name: string): string {
  const value = values[name];
  return typeof value === 'string' ? value : '';
}

export const requiredText = (values: FormValues, name: string): string => textOf(values, name);

export function optionalText(values: FormValues, name: string): string | null {
  const text = textOf(values, name);
  return text === '' ? null : text;
}

export const requiredNumber = (values: FormValues, name: string): number => Number(textOf(values, name));

export function optionalNumber(values: FormValues, name: string): number | null {
  const text = textOf(values, name);
  return text === '' ? null : Number(text);
}

export const flag = (values: FormValues, name: string): boolean => values[name] === true;

/** A datetime-local input's value (local time) as an ISO timestamp. */
export const requiredDateTime = (values: FormValues, name: string): string =>
  new Date(textOf(values, name)).toISOString();

export function optionalDateTime(values: FormValues, name: string): string | null {
  const text = textOf(values, name);
  return text === '' ? null : new Date(text).toISOString();
}

export function requiredChoice<T extends string>(values: FormValues, name: string, allowed: readonly T[]): T {
  const text = textOf(values, name);
  const chosen = allowed.find((value) => value === text);
  if (chosen === undefined) throw new Error(name + ': choose one of ' + allowed.join(', '));
  return chosen;
}

export function optionalChoice<T extends string>(values: FormValues, name: string, allowed: readonly T[]): T | null {
  return textOf(values, name) === '' ? null : requiredChoice(values, name, allowed);
}

export function references(values: FormValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? [...(value as readonly string[])] : [];
}

/** Ids typed into a text box, separated by commas or spaces. */
export function idList(values: FormValues, name: string): string[] {
  return textOf(values, name)
    .split(/[\\s,]+/)
    .filter((id) => id !== '');
}

/** A number as an input holds it. */
export const numberText = (value: number | null | undefined): string => (value == null ? '' : String(value));

/** An ISO timestamp as a datetime-local input holds it (local time, to the second). */
export function localDateTime(value: string | null | undefined): string {
  if (value == null) return '';
  const date = new Date(value);
  const pad = (part: number) => String(part).padStart(2, '0');
  return (
    date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) +
    'T' + pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds())
  );
}

/** A stored value as a page shows it. */
export function display(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(display).join(', ');
  return String(value);
}

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: unknown;
}

/** Runs \`load\` when a dependency changes; an answer that comes after the next change is dropped. */
export function useLoad<T>(load: () => Promise<T>, dependencies: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({});
  useEffect(() => {
    let current = true;
    setState({});
    load().then(
      (data) => {
        if (current) setState({ data });
      },
      (error: unknown) => {
        if (current) setState({ error });
      },
    );
    return () => {
      current = false;
    };
  }, dependencies);
  return state;
}

export function ErrorMessage({ error }: { readonly error: unknown }) {
  if (error === undefined || error === null) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="error" data-testid="error">
      {message}${
        auth
          ? `
      {error instanceof ApiError && error.status === 401 ? (
        <>
          {' '}
          <Link to={'/sign-in?next=' + encodeURIComponent(currentPath())} testId="error-sign-in">
            Sign in
          </Link>
        </>
      ) : null}`
          : ''
      }
    </p>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function Pager(props: {
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
  readonly onChange: (offset: number) => void;
}) {
  const { offset, limit, total, onChange } = props;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="pages">
      <button
        type="button"
        data-testid="pager-previous"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <span data-testid="pager-status">{total === 0 ? '0 of 0' : offset + 1 + '–' + last + ' of ' + total}</span>
      <button type="button" data-testid="pager-next" disabled={last >= total} onClick={() => onChange(offset + limit)}>
        Next
      </button>
    </nav>
  );
}

function ReferenceControl(props: {
  readonly field: FormField & { readonly kind: 'reference' | 'references' };
  readonly value: FormValue;
  readonly onChange: (value: FormValue) => void;
}) {
  const { field, value, onChange } = props;
  const loaded = useLoad(field.load, [field.load]);
  const id = 'input-' + field.name;
  const selected = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as readonly string[]) : [];
  const known = new Set((loaded.data ?? []).map((option) => option.value));
  // keep a chosen item that is not among the options loaded, so an edit does not drop it
  const options = [
    ...(loaded.data ?? []),
    ...selected.filter((chosen) => chosen !== '' && !known.has(chosen)).map((chosen) => ({ value: chosen, label: chosen })),
  ];
  return (
    <>
      {field.kind === 'references' ? (
        <select
          id={id}
          data-testid={id}
          multiple
          value={[...selected]}
          onChange={(event) => onChange(Array.from(event.target.selectedOptions, (option) => option.value))}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : (
        <select
          id={id}
          data-testid={id}
          required={field.required}
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="">{field.required ? 'Choose…' : '— none —'}</option>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
      {loaded.data === undefined && loaded.error === undefined ? <small>Loading choices…</small> : null}
      <ErrorMessage error={loaded.error} />
    </>
  );
}

const INPUT_TYPES = {
  string: 'text',
  email: 'email',
  url: 'url',
  uuid: 'text',
  date: 'date',
  datetime: 'datetime-local',
} as const;

function Control(props: {
  readonly field: FormField;
  readonly value: FormValue;
  readonly onChange: (value: FormValue) => void;
}) {
  const { field, value, onChange } = props;
  const id = 'input-' + field.name;
  const text = typeof value === 'string' ? value : '';
  switch (field.kind) {
    case 'boolean':
      return (
        <input
          id={id}
          data-testid={id}
          type="checkbox"
          checked={value === true}
          onChange={(event) => onChange(event.target.checked)}
        />
      );
    case 'enum':
      return (
        <select id={id} data-testid={id} required={field.required} value={text} onChange={(event) => onChange(event.target.value)}>
          <option value="">{field.required ? 'Choose…' : '— none —'}</option>
          {field.values.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      );
    case 'reference':
    case 'references':
      return <ReferenceControl field={field} value={value} onChange={onChange} />;
    case 'integer':
    case 'number':
      return (
        <input
          id={id}
          data-testid={id}
          type="number"
          step={field.kind === 'integer' ? 1 : 'any'}
          min={field.minimum}
          max={field.maximum}
          required={field.required}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case 'text':
      return (
        <textarea
          id={id}
          data-testid={id}
          required={field.required}
          minLength={field.minLength}
          maxLength={field.maxLength}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default:
      return (
        <input
          id={id}
          data-testid={id}
          type={INPUT_TYPES[field.kind]}
          step={field.kind === 'datetime' ? 1 : undefined}
          pattern={field.kind === 'uuid' ? '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' : undefined}
          required={field.required}
          minLength={field.minLength}
          maxLength={field.maxLength}
          value={text}
          onChange={(event) => onChange(event.target.value)}
        />
      );
  }
}

/** A form over fields; \`onSubmit\` gets the values and the names of the fields that were changed. */
export function ResourceForm(props: {
  readonly testId: string;
  readonly fields: readonly FormField[];
  readonly initial: FormValues;
  readonly submitLabel: string;
  readonly onSubmit: (values: FormValues, changed: ReadonlySet<string>) => Promise<void>;
  /** a change of some fields only: none is required */
  readonly partial?: boolean;
  readonly children?: ReactNode;
}) {
  const [values, setValues] = useState<FormValues>(props.initial);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    props.onSubmit(values, changed).then(
      () => setBusy(false),
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };
  return (
    <form data-testid={props.testId} onSubmit={submit}>
      {props.fields.map((given) => {
        const field = props.partial ? { ...given, required: false } : given;
        return (
        <div className="field" key={field.name}>
          <label htmlFor={'input-' + field.name}>
            {field.label}
            {field.required ? ' *' : ''}
          </label>
          <Control
            field={field}
            value={values[field.name] ?? ''}
            onChange={(value) => {
              setValues((current) => ({ ...current, [field.name]: value }));
              setChanged((current) => new Set(current).add(field.name));
            }}
          />
          {field.description ? <small>{field.description}</small> : null}
        </div>
        );
      })}
      {props.children}
      <ErrorMessage error={error} />
      <button type="submit" data-testid="submit" disabled={busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}
`;
}
