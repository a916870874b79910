"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { cx } from "./ui";

export interface NavItem {
  href: string;
  label: string;
  icon: ReactNode;
  badge?: number;
}

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

function Links({ items, onNavigate }: { items: NavItem[]; onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <ul className="space-y-0.5">
      {items.map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cx(
                "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium",
                active ? "bg-white/10 text-white" : "text-slate-300 hover:bg-white/5 hover:text-white",
              )}
            >
              <span aria-hidden="true" className="size-5 shrink-0">
                {item.icon}
              </span>
              <span className="flex-1">{item.label}</span>
              {item.badge ? (
                <span className="rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white tabular">{item.badge > 99 ? "99+" : item.badge}</span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function SideNav({ items, label }: { items: NavItem[]; label: string }) {
  return (
    <nav aria-label={label} className="flex-1 overflow-y-auto px-3 py-4">
      <Links items={items} />
    </nav>
  );
}

/** On a phone the navigation is a panel opened from the top bar. */
export function MobileNav({
  items,
  label,
  openLabel,
  closeLabel,
  footer,
}: {
  items: NavItem[];
  label: string;
  openLabel: string;
  closeLabel: string;
  footer: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  useEffect(() => setOpen(false), [pathname]);
  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="mobile-nav"
        onClick={() => setOpen((o) => !o)}
        className="rounded-lg p-2 text-slate-200 hover:bg-white/10 lg:hidden"
      >
        <span className="sr-only">{open ? closeLabel : openLabel}</span>
        <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2">
          {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
        </svg>
      </button>
      {open ? (
        <div id="mobile-nav" className="absolute inset-x-0 top-full z-40 border-t border-white/10 bg-slate-900 px-3 pt-2 pb-4 shadow-xl lg:hidden">
          <nav aria-label={label}>
            <Links items={items} onNavigate={() => setOpen(false)} />
          </nav>
          <div className="mt-3 border-t border-white/10 pt-3">{footer}</div>
        </div>
      ) : null}
    </>
  );
}
