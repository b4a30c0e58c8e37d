/**
 * An enrolment link: `/?code=…[&server=…]` (a QR code on a kiosk, a link in a message). Anyone can
 * make one, so it never enrols by itself: the enrol screen shows the server it names and waits for
 * a person to confirm.
 */
export type EnrolLink =
  /** The link's server is the one that served this page: confirm, then enrol here. */
  | { kind: 'here'; code: string; origin: string }
  /**
   * Another server: this page may only talk to the server it came from (its CSP says
   * `connect-src 'self'`, and TinySphere answers no CORS), so the person is offered that server's
   * own app, carrying the code, where they are asked again.
   */
  | { kind: 'elsewhere'; code: string; origin: string; open: string }
  | { kind: 'invalid'; error: string };

/** Reads the link from `search` (location.search) for a page served from `pageOrigin`; null when there is no code. */
export function readEnrolLink(search: string, pageOrigin: string): EnrolLink | null {
  const q = new URLSearchParams(search);
  const code = q.get('code')?.trim();
  if (!code) return null;
  const server = q.get('server')?.trim();
  let origin = pageOrigin;
  if (server) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return {
        kind: 'invalid',
        error: `The link names a server that is not a web address ("${server.slice(0, 100)}"); nothing was done.`,
      };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return {
        kind: 'invalid',
        error: `The link names a server that is not http(s) ("${server.slice(0, 100)}"); nothing was done.`,
      };
    origin = url.origin;
  }
  if (origin === pageOrigin) return { kind: 'here', code, origin };
  return { kind: 'elsewhere', code, origin, open: `${origin}/?${new URLSearchParams({ code })}` };
}

/** `search` without the link's parameters, so a reload or a shared address does not carry the code again. */
export function withoutEnrolLink(search: string): string {
  const q = new URLSearchParams(search);
  q.delete('code');
  q.delete('server');
  const rest = q.toString();
  return rest ? `?${rest}` : '';
}
