/* global CustomEvent */
/**
 * `lightning/platformShowToastEvent` in Lightning Local: the page shows the toast (see ll/boot).
 */
export const SHOW_TOAST_EVENT = 'lightning__showtoast';

export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super(SHOW_TOAST_EVENT, { composed: true, cancelable: true, bubbles: true, detail: toast });
  }
}
