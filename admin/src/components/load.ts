import { html, type TemplateResult } from 'lit';
import type { PollState } from '../../../shared/ui/poll-controller.ts';
import { errorText } from '../api.ts';

/** Renders a PollController's state: a line while loading, the server's message on failure. */
export function view<T>(
  state: PollState<T>,
  ok: (value: T) => TemplateResult | string,
  what = 'data',
): TemplateResult | string {
  if (state.status === 'loading') return html`<p class="muted">Loading ${what}…</p>`;
  if (state.status === 'error') {
    return html`<p class="error" role="alert">Could not load ${what}: ${state.error.message}</p>${state.last === undefined ? '' : ok(state.last)}`;
  }
  return ok(state.value);
}

/** Runs a user's action for an element that shows `error`: cleared first, the server's message on failure. */
export async function attempt(host: { error: string | undefined }, fn: () => Promise<void>): Promise<void> {
  host.error = undefined;
  try {
    await fn();
  } catch (err) {
    host.error = errorText(err);
  }
}
