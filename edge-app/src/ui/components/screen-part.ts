import { LitElement } from 'lit';

/**
 * A piece of a screen that renders into the screen's own shadow root (no shadow root of its own):
 * the screen's styles apply to it unchanged, and its data-testids are found from the screen as if
 * the screen had rendered them itself.
 */
export class ScreenPart extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
