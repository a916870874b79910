export function Logo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" className="size-9 shrink-0">
      <rect width="32" height="32" rx="8" fill="#2f5bd3" />
      <path d="M16 6l8 3.5v6c0 5-3.4 8.8-8 10.5-4.6-1.7-8-5.5-8-10.5v-6L16 6z" fill="#fff" opacity=".95" />
      <path d="M12.5 16.2l2.4 2.4 4.8-5" stroke="#2f5bd3" strokeWidth="2.2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
