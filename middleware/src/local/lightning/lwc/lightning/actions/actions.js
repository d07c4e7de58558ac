/* global CustomEvent */
/**
 * `lightning/actions` in Lightning Local. The event does not bubble: the quick-action modal
 * listens on the component it hosts (see ll/boot), as the platform's action container does.
 */
export const CLOSE_SCREEN_EVENT = 'lightning__actionsclosescreen';

export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super(CLOSE_SCREEN_EVENT, { bubbles: false, composed: false });
  }
}
