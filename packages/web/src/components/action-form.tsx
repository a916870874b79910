"use client";

import { useActionState, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import type { FormState } from "@/server/forms";
import { FormMessage } from "./fields";
import { Button } from "./ui";

type Action = (prev: FormState, form: FormData) => Promise<FormState>;

/**
 * A form bound to a server action: it shows the action's message and hands its field errors to
 * the fields inside (a function child receives them).
 */
export function ActionForm({
  action,
  hidden,
  children,
  className,
  label,
  showMessage = true,
}: {
  action: Action;
  hidden?: Record<string, string>;
  children: ReactNode | ((state: FormState) => ReactNode);
  className?: string;
  label?: string;
  showMessage?: boolean;
}) {
  const [state, formAction] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className={className} aria-label={label} noValidate>
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {typeof children === "function" ? children(state) : children}
      {showMessage ? <FormMessage state={state} /> : null}
    </form>
  );
}

export function SubmitButton({
  children,
  variant = "primary",
  size = "md",
  name,
  value,
  className,
  label,
}: {
  children: ReactNode;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  size?: "sm" | "md";
  name?: string;
  value?: string;
  className?: string;
  /** The accessible name, when the visible text alone is ambiguous in a list. */
  label?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} size={size} name={name} value={value} disabled={pending} aria-label={label} className={className}>
      {children}
    </Button>
  );
}
