import type { ComponentProps, ReactNode } from "react";
import { cx } from "./ui";

const CONTROL =
  "block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-500 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none disabled:bg-slate-100";

function controlClass(invalid: boolean): string {
  return cx(CONTROL, invalid ? "border-rose-600" : "border-slate-300");
}

interface FieldProps {
  label: string;
  name: string;
  errors?: Record<string, string[]> | undefined;
  hint?: ReactNode;
  className?: string;
}

function FieldShell({ label, name, id, errors, hint, className, children }: FieldProps & { id: string; children: ReactNode }) {
  const messages = errors?.[name];
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && !messages ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {messages ? (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-rose-700">
          {messages.join(" · ")}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, props: FieldProps): string | undefined {
  if (props.errors?.[props.name]) return `${id}-error`;
  return props.hint ? `${id}-hint` : undefined;
}

export function TextField({ label, name, errors, hint, className, id, ...input }: FieldProps & ComponentProps<"input">) {
  const fieldId = id ?? `f-${name}`;
  const invalid = Boolean(errors?.[name]);
  return (
    <FieldShell label={label} name={name} id={fieldId} errors={errors} hint={hint} className={className}>
      <input
        id={fieldId}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(fieldId, { label, name, errors, hint })}
        className={controlClass(invalid)}
        {...input}
      />
    </FieldShell>
  );
}

export function SelectField({ label, name, errors, hint, className, id, children, ...select }: FieldProps & ComponentProps<"select">) {
  const fieldId = id ?? `f-${name}`;
  const invalid = Boolean(errors?.[name]);
  return (
    <FieldShell label={label} name={name} id={fieldId} errors={errors} hint={hint} className={className}>
      <select
        id={fieldId}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(fieldId, { label, name, errors, hint })}
        className={controlClass(invalid)}
        {...select}
      >
        {children}
      </select>
    </FieldShell>
  );
}

export function TextArea({ label, name, errors, hint, className, id, ...area }: FieldProps & ComponentProps<"textarea">) {
  const fieldId = id ?? `f-${name}`;
  const invalid = Boolean(errors?.[name]);
  return (
    <FieldShell label={label} name={name} id={fieldId} errors={errors} hint={hint} className={className}>
      <textarea
        id={fieldId}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(fieldId, { label, name, errors, hint })}
        className={controlClass(invalid)}
        {...area}
      />
    </FieldShell>
  );
}

export function FormMessage({ state }: { state: { status: string; message?: string } }) {
  if (!state.message) return null;
  return (
    <p
      role={state.status === "error" ? "alert" : "status"}
      className={cx(
        "rounded-lg px-3 py-2 text-sm ring-1 ring-inset",
        state.status === "error" ? "bg-rose-50 text-rose-800 ring-rose-600/20" : "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
      )}
    >
      {state.message}
    </p>
  );
}
