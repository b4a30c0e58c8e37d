import { css } from 'lit';

/**
 * The PWA's one style sheet for its screens and their parts: type readable at kiosk distance (the
 * size grows with the viewport on 1080p screens; in rem, so the shell's large-type switch scales it
 * too), a visible focus ring for keyboard use, cards that stack on a phone and sit side by side in
 * landscape, definition lists for figures, and forms whose fields stack under their labels.
 */
export const screenStyles = css`
  :host {
    display: block;
    font: clamp(1.0625rem, 0.5vw + 0.75rem, 1.5rem) / 1.45 system-ui, sans-serif;
    color: #1b1f24;
    --lcm-accent: #0b6e4f;
    --lcm-muted: #57606a;
    --lcm-bad: #b42318;
    --lcm-warn: #9a6700;
    --lcm-ok: #1a7f37;
    --lcm-line: #d0d7de;
  }
  h2 { font-size: 1.5em; margin: 0 0 0.6em; }
  h3 { font-size: 1.15em; margin: 0 0 0.5em; }
  .grid { display: grid; gap: 1em; grid-template-columns: 1fr; }
  @media (min-width: 1000px) and (orientation: landscape) {
    .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
    .wide { grid-column: 1 / -1; }
  }
  .card { border: 1px solid var(--lcm-line); border-radius: 0.6em; padding: 0.9em 1em; background: #fff; min-width: 0; }
  .card:not(.grid > *) { margin: 0 0 1em; }
  .muted { color: var(--lcm-muted); }
  .hint { color: var(--lcm-muted); font-size: 0.9em; margin: 0.25em 0 0; }
  .error { color: var(--lcm-bad); font-weight: 600; }
  .bad { color: var(--lcm-bad); }
  .ok { color: var(--lcm-ok); }
  .warn { color: var(--lcm-warn); }
  button, select, input, .button {
    font: inherit; min-height: 2.4em; padding: 0.25em 0.8em; border-radius: 0.4em;
    border: 1px solid #8c959f; background: #f6f8fa; color: inherit;
  }
  .button { display: inline-flex; align-items: center; box-sizing: border-box; text-decoration: none; }
  button.primary, .button.primary { background: var(--lcm-accent); border-color: var(--lcm-accent); color: #fff; }
  button:disabled { opacity: 0.55; }
  a { color: var(--lcm-accent); }
  :is(button, select, input, a, [tabindex]):focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  .row { display: flex; flex-wrap: wrap; gap: 0.6em; align-items: center; }
  .actions { margin-top: 1em; }
  .fields label { display: block; margin: 0.75em 0 0.25em; font-weight: 600; }
  .fields :is(input:not([type='checkbox']), select) { width: min(100%, 28rem); box-sizing: border-box; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5em 1.25em; margin: 0; }
  dt { color: var(--lcm-muted); }
  dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  @media (max-width: 520px) { dl { grid-template-columns: 1fr; gap: 0.1em; } dd { margin-bottom: 0.5em; } }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.35em 0.5em; border-bottom: 1px solid var(--lcm-line); vertical-align: top; }
  th { font-weight: 600; color: var(--lcm-muted); }
  .scroll { overflow-x: auto; }
  .mono { font-family: ui-monospace, monospace; font-size: 0.9em; word-break: break-all; }
  progress { width: 100%; height: 1.2em; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
