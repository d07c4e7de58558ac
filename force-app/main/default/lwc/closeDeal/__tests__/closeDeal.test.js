import { createElement } from 'lwc';
import CloseDeal from 'c/closeDeal';
import getClosurePreview from '@salesforce/apex/DealDeskController.getClosurePreview';
import startClosure from '@salesforce/apex/DealDeskController.startClosure';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';
import { CloseScreenEventName } from 'lightning/actions';
import { RefreshEventName } from 'lightning/refresh';
import flushPromises from '../../../../../test/jest-utils/flushPromises';

const PREVIEW = require('./data/getClosurePreview.json');
const BLOCKED = require('./data/getClosurePreviewBlocked.json');

jest.mock(
  '@salesforce/apex/DealDeskController.getClosurePreview',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);

jest.mock('@salesforce/apex/DealDeskController.startClosure', () => ({ default: jest.fn() }), {
  virtual: true,
});

const RECORD_ID = '006Dd000001AbcdIAC';

function mount() {
  const element = createElement('c-close-deal', { is: CloseDeal });
  element.recordId = RECORD_ID;
  document.body.appendChild(element);
  return element;
}

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);

describe('c-close-deal', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
  });

  it('shows a spinner until the preview arrives', async () => {
    const element = mount();
    await flushPromises();

    expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
    expect(byId(element, 'start').disabled).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('shows what the closure will work with', async () => {
    const element = mount();
    getClosurePreview.emit(PREVIEW);
    await flushPromises();

    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    const amount = byId(element, 'amount').querySelector('lightning-formatted-number');
    expect(amount.value).toBe(11440);
    expect(amount.currencyCode).toBe('EUR');
    expect(byId(element, 'discount').textContent).toBe('4.67%');
    const products = byId(element, 'products').querySelectorAll('li');
    expect(products).toHaveLength(2);
    expect(products[0].textContent).toContain('Field Service Platform');
    expect(products[1].textContent).toContain('(10% off)');
    const contacts = byId(element, 'contacts').querySelectorAll('li');
    expect(contacts).toHaveLength(2);
    expect(contacts[0].textContent).toContain('Dr. Katrin Vogel');
    expect(contacts[0].querySelector('[data-id="primary-badge"]')).not.toBeNull();
    expect(contacts[1].querySelector('[data-id="primary-badge"]')).toBeNull();
    expect(byId(element, 'readiness').textContent).toContain('87.5% closing confidence, decision: Go');
    expect(byId(element, 'blockers')).toBeNull();
    expect(byId(element, 'start').disabled).toBe(false);
    await expect(element).toBeAccessible();
  });

  it('explains why a deal cannot be closed and keeps Start disabled', async () => {
    const element = mount();
    getClosurePreview.emit(BLOCKED);
    await flushPromises();

    const blockers = byId(element, 'blockers').querySelectorAll('li');
    expect([...blockers].map((li) => li.textContent)).toEqual(BLOCKED.blockers);
    expect(byId(element, 'no-products')).not.toBeNull();
    expect(byId(element, 'no-contacts')).not.toBeNull();
    expect(byId(element, 'readiness')).toBeNull();
    expect(byId(element, 'discount').textContent).toBe('None');
    expect(byId(element, 'start').disabled).toBe(true);

    byId(element, 'start').click();
    await flushPromises();
    expect(startClosure).not.toHaveBeenCalled();
    await expect(element).toBeAccessible();
  });

  it('shows the error when the preview cannot be read', async () => {
    const element = mount();
    getClosurePreview.error({ message: 'The opportunity does not exist or you do not have access to it.' });
    await flushPromises();

    expect(byId(element, 'preview-error').textContent).toContain('does not exist');
    expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    expect(byId(element, 'start').disabled).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('starts the closure with the note and transcript, then closes', async () => {
    startClosure.mockResolvedValue('a0EDd000001Dc2IAC');
    const element = mount();
    const toast = jest.fn();
    const close = jest.fn();
    const refresh = jest.fn();
    element.addEventListener(ShowToastEventName, toast);
    element.addEventListener(CloseScreenEventName, close);
    element.addEventListener(RefreshEventName, refresh);
    getClosurePreview.emit(PREVIEW);
    await flushPromises();

    const note = byId(element, 'note');
    note.value = 'COO said yes on the call';
    note.dispatchEvent(new CustomEvent('change'));
    const transcript = byId(element, 'transcript');
    transcript.value = 'Dr. Vogel: we go ahead with all three plants.';
    transcript.dispatchEvent(new CustomEvent('change'));
    byId(element, 'start').click();
    await flushPromises();

    expect(startClosure).toHaveBeenCalledWith({
      opportunityId: RECORD_ID,
      note: 'COO said yes on the call',
      transcript: 'Dr. Vogel: we go ahead with all three plants.',
    });
    expect(toast).toHaveBeenCalledTimes(1);
    expect(toast.mock.calls[0][0].detail.variant).toBe('success');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('keeps the action open and shows why when starting fails', async () => {
    startClosure.mockRejectedValue({
      body: { message: 'A deal closure is already running for this opportunity (DC-000042, Running).' },
    });
    const element = mount();
    const close = jest.fn();
    element.addEventListener(CloseScreenEventName, close);
    getClosurePreview.emit(PREVIEW);
    await flushPromises();

    byId(element, 'start').click();
    await flushPromises();

    expect(byId(element, 'start-error').textContent).toContain('already running');
    expect(close).not.toHaveBeenCalled();
    expect(byId(element, 'start').disabled).toBe(false);
    await expect(element).toBeAccessible();
  });

  it('closes on Cancel without starting anything', async () => {
    const element = mount();
    const close = jest.fn();
    element.addEventListener(CloseScreenEventName, close);
    getClosurePreview.emit(PREVIEW);
    await flushPromises();

    byId(element, 'cancel').click();

    expect(close).toHaveBeenCalledTimes(1);
    expect(startClosure).not.toHaveBeenCalled();
  });
});
