import { h } from './dom';

const STORAGE_KEY = 'streamforge.token';

/** The bearer token of this tab: kept in sessionStorage, so it ends with the tab and is never in a URL. */
export const sessionToken = {
  get: (): string | undefined => sessionStorage.getItem(STORAGE_KEY) ?? undefined,
  set: (token: string) => sessionStorage.setItem(STORAGE_KEY, token),
  clear: () => sessionStorage.removeItem(STORAGE_KEY),
};

/**
 * Asks for a token when queue-manager answers 401: an API token or an OIDC access token (a Keycloak
 * login in front of the Ingress can hand one over the same way). Hidden until `ask()`.
 */
export class TokenPrompt {
  readonly element: HTMLFormElement;
  private readonly reason: HTMLElement;
  private readonly input: HTMLInputElement;

  constructor(private readonly onToken: (token: string) => void) {
    this.input = h('input', { name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-label': 'token' });
    this.reason = h('p', { class: 'form-error', role: 'alert' });
    this.element = h(
      'form',
      { class: 'token-form panel', hidden: true, onsubmit: (event: Event) => this.submit(event) },
      h('h2', {}, 'Sign in'),
      h('label', {}, 'API token or OIDC access token ', this.input),
      h('button', { type: 'submit' }, 'Use token'),
      this.reason,
    );
  }

  /** Shows the form with why it is asked (no token yet, or the last one was refused). */
  ask(reason: string): void {
    this.reason.textContent = reason;
    this.element.hidden = false;
    this.input.focus();
  }

  private submit(event: Event): void {
    event.preventDefault();
    const token = this.input.value.trim();
    if (!token) return;
    this.input.value = '';
    this.element.hidden = true;
    sessionToken.set(token);
    this.onToken(token);
  }
}
