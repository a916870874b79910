import type { ComponentProps, ReactNode } from "react";

export function cx(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(" ");
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
  bodyClassName,
  ...rest
}: { title?: ReactNode; actions?: ReactNode; bodyClassName?: string } & ComponentProps<"section">) {
  return (
    <section
      aria-label={typeof title === "string" ? title : undefined}
      className={cx("rounded-xl border border-slate-200 bg-white shadow-sm", className)}
      {...rest}
    >
      {title || actions ? (
        <header className="flex items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          {title ? <h2 className="text-sm font-semibold text-slate-800">{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      <div className={cx("p-4", bodyClassName)}>{children}</div>
    </section>
  );
}

const BUTTON = {
  primary: "bg-brand-600 text-white hover:bg-brand-700 disabled:bg-slate-400",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-rose-700 text-white hover:bg-rose-800 disabled:bg-slate-400",
  ghost: "text-slate-700 hover:bg-slate-100",
} as const;

export function buttonClass(variant: keyof typeof BUTTON = "primary", size: "sm" | "md" = "md"): string {
  return cx(
    "inline-flex items-center justify-center gap-1.5 rounded-lg font-medium transition-colors disabled:cursor-not-allowed",
    size === "sm" ? "px-2.5 py-1.5 text-xs" : "px-3.5 py-2 text-sm",
    BUTTON[variant],
  );
}

export function Button({
  variant = "primary",
  size = "md",
  className,
  ...props
}: { variant?: keyof typeof BUTTON; size?: "sm" | "md" } & ComponentProps<"button">) {
  return <button className={cx(buttonClass(variant, size), className)} {...props} />;
}

const TONES = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  amber: "bg-amber-50 text-amber-900 ring-amber-600/30",
  red: "bg-rose-50 text-rose-800 ring-rose-600/20",
  blue: "bg-brand-50 text-brand-800 ring-brand-600/20",
  gray: "bg-slate-100 text-slate-700 ring-slate-500/20",
} as const;
export type Tone = keyof typeof TONES;

export function Badge({ tone = "gray", children, className }: { tone?: Tone; children: ReactNode; className?: string }) {
  return (
    <span className={cx("inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap", TONES[tone], className)}>
      {children}
    </span>
  );
}

export const RISK_TONE: Record<string, Tone> = { LOW: "green", MEDIUM: "amber", HIGH: "red", NEW: "blue" };

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx("animate-pulse rounded-md bg-slate-200/70", className)} />;
}

export function CardSkeleton({ title, height = "h-40" }: { title: string; height?: string }) {
  return (
    <Card title={title} aria-busy="true">
      <Skeleton className={cx("w-full", height)} />
    </Card>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600">{children}</p>;
}

export function Table({ children, caption, className }: { children: ReactNode; caption?: string; className?: string }) {
  return (
    <div className={cx("-mx-4 overflow-x-auto sm:mx-0", className)}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

/** A card holding a table of records, or a note when there are none. */
export function TableCard({
  caption,
  empty,
  isEmpty,
  className,
  children,
}: {
  caption: string;
  empty: ReactNode;
  isEmpty: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Card className={className} bodyClassName="p-0 sm:p-2">
      {isEmpty ? (
        <div className="p-4">
          <EmptyState>{empty}</EmptyState>
        </div>
      ) : (
        <Table caption={caption}>{children}</Table>
      )}
    </Card>
  );
}

export function Th({ children, className, ...rest }: ComponentProps<"th">) {
  return (
    <th scope="col" className={cx("px-3 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-slate-600 uppercase", className)} {...rest}>
      {children}
    </th>
  );
}

export function Td({ children, className, ...rest }: ComponentProps<"td">) {
  return (
    <td className={cx("px-3 py-2 align-top text-slate-800", className)} {...rest}>
      {children}
    </td>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div role="group" aria-label={label}>
      <p className="text-xs font-medium text-slate-600">{label}</p>
      <p className="tabular mt-1 text-2xl font-semibold tracking-tight text-slate-900">{value}</p>
      {hint ? <p className="mt-1 text-xs text-slate-600">{hint}</p> : null}
    </div>
  );
}

export function Alert({ tone = "gray", children, role }: { tone?: Tone; children: ReactNode; role?: "alert" | "status" }) {
  return (
    <div role={role} className={cx("rounded-lg px-3 py-2 text-sm ring-1 ring-inset", TONES[tone])}>
      {children}
    </div>
  );
}

export function Code({ children }: { children: ReactNode }) {
  return <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[0.8rem] break-all text-slate-800">{children}</code>;
}
