import { css } from 'lit';

/** The look every page shares: tables, cards, buttons, messages. */
export const pageStyles = css`
  :host { display: block; }
  h2 { font-size: 1.25rem; margin: .2rem 0 .8rem; }
  h3 { font-size: 1.05rem; margin: 1.2rem 0 .5rem; }
  table { border-collapse: collapse; width: 100%; font-size: .92rem; }
  /* Narrow screens scroll a wide table sideways instead of widening the page. */
  .scroll { overflow-x: auto; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d8dee4; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  th button.sort { all: unset; cursor: pointer; }
  tr.selected td { background: #eef6f1; }
  button, select, input, textarea { font: inherit; }
  button { padding: .3rem .7rem; cursor: pointer; }
  button[disabled] { cursor: not-allowed; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .8rem; }
  .card { border: 1px solid #d8dee4; border-radius: 6px; padding: .7rem .9rem; background: white; }
  .card .n { font-size: 1.7rem; font-weight: 600; }
  .card .k { color: #57606a; font-size: .85rem; }
  .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
  .row { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
  .error { color: #cf222e; }
  .muted { color: #57606a; }
  .ok { color: #1a7f37; }
  .warn { color: #9a6700; }
  code, .mono { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-all; }
  form.inline { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  form.inline label { display: flex; flex-direction: column; font-size: .85rem; color: #57606a; }
  progress { width: 20rem; }
  pre { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 20rem; font-size: .8rem; }
`;
