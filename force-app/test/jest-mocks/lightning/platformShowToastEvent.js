/**
 * Mock of lightning/platformShowToastEvent: a DOM event carrying the toast in its detail.
 */
export const ShowToastEventName = 'lightning__showtoast';

export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super(ShowToastEventName, { composed: true, cancelable: true, bubbles: true, detail: toast });
  }
}
