/**
 * Mock of lightning/actions: the event a screen quick action dispatches to close itself.
 */
export const CloseScreenEventName = 'lightning__actionsclosescreen';

export class CloseActionScreenEvent extends CustomEvent {
  constructor() {
    super(CloseScreenEventName, { bubbles: false, composed: false });
  }
}
