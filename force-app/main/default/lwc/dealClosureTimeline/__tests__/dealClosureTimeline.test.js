import { createElement } from 'lwc';
import DealClosureTimeline, { CHANNEL, POLL_INTERVAL_MS } from 'c/dealClosureTimeline';
import getTimeline from '@salesforce/apex/DealDeskController.getTimeline';
import { refreshApex } from '@salesforce/apex';
import {
  subscribe,
  unsubscribe,
  onError,
  isEmpEnabled,
  jestMockPublish,
  jestMockStreamError,
} from 'lightning/empApi';
import { registerRefreshHandler, unregisterRefreshHandler, jestMockRefresh } from 'lightning/refresh';
import { mockNavigate } from 'lightning/navigation';
import flushPromises from '../../../../../test/jest-utils/flushPromises';

const TIMELINE = require('./data/getTimeline.json');
const EMPTY = require('./data/getTimelineEmpty.json');
const FAILED = require('./data/getTimelineFailed.json');

jest.mock(
  '@salesforce/apex/DealDeskController.getTimeline',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);

const OPPORTUNITY_ID = '006Dd000001AbcdIAC';
const CLOSURE_ID = 'a0EDd000001Dc2IAC';

async function mount(recordId = OPPORTUNITY_ID) {
  const element = createElement('c-deal-closure-timeline', { is: DealClosureTimeline });
  element.recordId = recordId;
  document.body.appendChild(element);
  await flushPromises();
  return element;
}

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);

describe('c-deal-closure-timeline', () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('shows the agent steps, approvals and signatures of the closure', async () => {
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    expect(byId(element, 'closure').textContent).toContain('DC-000042');
    expect(byId(element, 'closure-status').textContent).toBe('Waiting Approval');
    expect(byId(element, 'current-agent').textContent).toBe('Now: Approval Orchestration');
    expect(byId(element, 'confidence').textContent).toContain('Closing confidence 91%');
    const steps = byId(element, 'steps').querySelectorAll('li');
    expect(steps).toHaveLength(3);
    expect(steps[0].textContent).toContain('Deal Closure');
    expect(steps[0].textContent).toContain('confidence 91%');
    expect(steps[0].textContent).toContain('4.2 s');
    expect(steps[0].textContent).toContain('clear verbal yes');
    expect(steps[1].textContent).toContain('3 min 5 s');
    expect(steps[0].querySelector('lightning-icon').iconName).toBe('utility:success');
    expect(steps[2].querySelector('lightning-icon').iconName).toBe('utility:clock');
    const approvals = byId(element, 'approvals').querySelectorAll('li');
    expect(approvals).toHaveLength(2);
    expect(approvals[0].textContent).toContain('Elena Petrova · Approved');
    expect(approvals[0].textContent).toContain('decided');
    expect(approvals[1].textContent).toContain('Hannah Brooks · Pending');
    expect(approvals[1].querySelector('lightning-formatted-date-time').value).toBe(
      '2026-11-26T08:03:12.000Z',
    );
    // The approver's brief, with its sources, folds out under the approval that has one.
    const brief = approvals[0].querySelector('[data-id="brief"]');
    expect(brief.querySelector('summary').textContent).toBe('Brief for Elena Petrova');
    expect(brief.querySelector('lightning-formatted-text').value).toContain('net 45 days');
    expect(approvals[1].querySelector('[data-id="brief"]')).toBeNull();
    const recipients = byId(element, 'recipients').querySelectorAll('li');
    expect(recipients).toHaveLength(1);
    expect(recipients[0].textContent).toContain('Dr. Katrin Vogel');
    expect(recipients[0].textContent).toContain('Signed');
    await expect(element).toBeAccessible();
  });

  it("shows a signer's completion prediction until they sign", async () => {
    const element = await mount();
    const countersigner = {
      ...TIMELINE.recipients[0],
      id: 'a0HDd000001Rc2IAC',
      name: 'Jordan Keller',
      role: 'Provider countersignature',
      routingOrder: 2,
      status: 'Sent',
      statusLabel: 'Sent',
      signedAt: null,
      prediction:
        '100% within 3 days (100% sign at all, 90% interval 65–100%), typically 4 h; from 5 past provider countersignatures',
    };
    getTimeline.emit({ ...TIMELINE, recipients: [...TIMELINE.recipients, countersigner] });
    await flushPromises();

    const [signed, waiting] = byId(element, 'recipients').querySelectorAll('li');
    expect(signed.querySelector('[data-id="prediction"]')).toBeNull();
    expect(waiting.querySelector('[data-id="prediction"]').textContent).toContain(
      'Predicted: 100% within 3 days (100% sign at all, 90% interval 65–100%), typically 4 h; from 5 past provider countersignatures',
    );
    await expect(element).toBeAccessible();
  });

  it('shows an empty state before the first closure', async () => {
    const element = await mount();
    getTimeline.emit(EMPTY);
    await flushPromises();

    expect(byId(element, 'empty').textContent).toContain('No deal closure yet');
    expect(byId(element, 'steps')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows a failed run with its error and placeholders for what it never reached', async () => {
    const element = await mount();
    getTimeline.emit(FAILED);
    await flushPromises();

    expect(byId(element, 'closure-error').textContent).toContain('already running');
    expect(byId(element, 'closure-status').className).toContain('slds-theme_error');
    expect(byId(element, 'steps').textContent).toContain('The opportunity has no primary contact.');
    expect(byId(element, 'steps').querySelector('lightning-icon').iconName).toBe('utility:error');
    expect(byId(element, 'no-approvals')).not.toBeNull();
    expect(byId(element, 'no-recipients')).not.toBeNull();
    expect(byId(element, 'confidence')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows the error when the timeline cannot be read', async () => {
    const element = await mount();
    getTimeline.error({ message: 'Insufficient access to Deal_Closure__c' });
    await flushPromises();

    expect(byId(element, 'error').textContent).toContain('Insufficient access');
    expect(byId(element, 'closure')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('subscribes to Deal_Closure_Event__e and refreshes for events of its closure only', async () => {
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    expect(subscribe).toHaveBeenCalledWith(CHANNEL, -1, expect.any(Function));
    expect(byId(element, 'live-status').textContent).toBe('Live');

    jestMockPublish(CHANNEL, { Closure_Id__c: 'a0EDd000001Dc9IAC', Message__c: 'Someone else' });
    await flushPromises();
    expect(refreshApex).not.toHaveBeenCalled();

    jestMockPublish(CHANNEL, { Closure_Id__c: CLOSURE_ID.substring(0, 15), Message__c: 'Legal approved' });
    await flushPromises();
    expect(refreshApex).toHaveBeenCalledTimes(1);
    expect(byId(element, 'latest-message').textContent).toBe('Legal approved');
  });

  it('refreshes for any event while the page has no closure, at most every ten seconds', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    await mount();
    getTimeline.emit(EMPTY);
    await flushPromises();

    jestMockPublish(CHANNEL, { Closure_Id__c: CLOSURE_ID, Message__c: 'Closure queued' });
    jestMockPublish(CHANNEL, { Closure_Id__c: CLOSURE_ID, Message__c: 'Deal Closure agent started' });
    await flushPromises();
    expect(refreshApex).toHaveBeenCalledTimes(1);

    now.mockReturnValue(1_011_000);
    jestMockPublish(CHANNEL, { Closure_Id__c: CLOSURE_ID });
    await flushPromises();
    expect(refreshApex).toHaveBeenCalledTimes(2);
  });

  it('falls back to periodic refresh when streaming is unavailable', async () => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    isEmpEnabled.mockResolvedValueOnce(false);
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    expect(subscribe).not.toHaveBeenCalled();
    expect(byId(element, 'live-status').textContent).toBe('Refreshing every 15 s');
    jest.advanceTimersByTime(POLL_INTERVAL_MS);
    expect(refreshApex).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(POLL_INTERVAL_MS);
    expect(refreshApex).toHaveBeenCalledTimes(2);
  });

  it('falls back to periodic refresh when subscribing fails', async () => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    subscribe.mockRejectedValueOnce(new Error('handshake failed'));
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    expect(byId(element, 'live-status').textContent).toBe('Refreshing every 15 s');
    jest.advanceTimersByTime(POLL_INTERVAL_MS);
    expect(refreshApex).toHaveBeenCalledTimes(1);
  });

  it('falls back to periodic refresh when the stream reports an error', async () => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();
    expect(onError).toHaveBeenCalled();

    jestMockStreamError({ error: '403::Unknown client' });
    await flushPromises();

    expect(byId(element, 'live-status').textContent).toBe('Refreshing every 15 s');
    jest.advanceTimersByTime(POLL_INTERVAL_MS);
    expect(refreshApex).toHaveBeenCalledTimes(1);
  });

  it('stops refreshing once the run has ended', async () => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    isEmpEnabled.mockResolvedValueOnce(false);
    const element = await mount(CLOSURE_ID);
    getTimeline.emit(FAILED);
    await flushPromises();

    jest.advanceTimersByTime(POLL_INTERVAL_MS * 3);
    expect(refreshApex).not.toHaveBeenCalled();
    expect(byId(element, 'live-status').textContent).toBe('Finished');
  });

  it('refreshes on the refresh button and on a page refresh', async () => {
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    byId(element, 'refresh').click();
    expect(refreshApex).toHaveBeenCalledTimes(1);
    expect(registerRefreshHandler).toHaveBeenCalledTimes(1);
    await jestMockRefresh();
    expect(refreshApex).toHaveBeenCalledTimes(2);
  });

  it('links to the closure from the Opportunity page only', async () => {
    const onOpportunity = await mount(OPPORTUNITY_ID);
    getTimeline.emit(TIMELINE);
    await flushPromises();

    byId(onOpportunity, 'open-closure').click();
    expect(mockNavigate).toHaveBeenCalledWith(
      {
        type: 'standard__recordPage',
        attributes: { recordId: CLOSURE_ID, objectApiName: 'Deal_Closure__c', actionName: 'view' },
      },
      undefined,
    );

    document.body.removeChild(onOpportunity);
    const onClosure = await mount(CLOSURE_ID);
    getTimeline.emit(TIMELINE);
    await flushPromises();
    expect(byId(onClosure, 'open-closure')).toBeNull();
  });

  it('unsubscribes and stops polling when removed', async () => {
    const element = await mount();
    getTimeline.emit(TIMELINE);
    await flushPromises();

    document.body.removeChild(element);

    expect(unsubscribe).toHaveBeenCalledWith(
      expect.objectContaining({ channel: CHANNEL }),
      expect.any(Function),
    );
    expect(unregisterRefreshHandler).toHaveBeenCalledTimes(1);
  });
});
