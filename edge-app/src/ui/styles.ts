import { css } from 'lit';

/** What the shell's own screens share. Sizes are in rem so the shell's large-type switch scales them. */
export const screenStyles = css`
  :host { display: block; }
  h2 { font-size: 1.4rem; margin: 0 0 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5rem 1.25rem; margin: 0; }
  dt { color: var(--muted, #57606a); }
  dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  section { background: var(--card, #fff); border: 1px solid var(--line, #d0d7de); border-radius: 0.5rem; padding: 1rem 1.25rem; margin-bottom: 1rem; }
  label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 600; }
  input, select { font: inherit; padding: 0.5rem 0.6rem; border: 1px solid var(--line, #d0d7de); border-radius: 0.35rem; width: min(100%, 28rem); box-sizing: border-box; }
  input[type='checkbox'] { width: auto; }
  button { font: inherit; padding: 0.55rem 1.1rem; border-radius: 0.35rem; border: 1px solid var(--accent, #0b6e4f); background: var(--accent, #0b6e4f); color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: var(--accent, #0b6e4f); }
  button:disabled { opacity: 0.55; cursor: default; }
  :focus-visible { outline: 3px solid var(--focus, #0969da); outline-offset: 2px; }
  .hint { color: var(--muted, #57606a); font-size: 0.9rem; margin: 0.25rem 0 0; }
  .ok { color: #1a7f37; }
  .bad { color: #cf222e; }
  .warn { color: #9a6700; }
  .error { color: #cf222e; margin-top: 0.75rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-top: 1rem; }
  progress { width: min(100%, 24rem); height: 1rem; }
  @media (max-width: 520px) { dl { grid-template-columns: 1fr; gap: 0.1rem; } dd { margin-bottom: 0.5rem; } }
`;
