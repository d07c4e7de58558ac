import { LightningElement, api, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { refreshApex } from '@salesforce/apex';
import { subscribe, unsubscribe, onError, isEmpEnabled } from 'lightning/empApi';
import { registerRefreshHandler, unregisterRefreshHandler } from 'lightning/refresh';
import getTimeline from '@salesforce/apex/DealDeskController.getTimeline';
import { errorMessage, formatDuration, formatPercent, sameRecordId } from 'c/dealDeskUtils';

/** The platform event channel the middleware publishes timeline updates on. */
export const CHANNEL = '/event/Deal_Closure_Event__e';
/** How often the timeline refreshes when streaming is unavailable. */
export const POLL_INTERVAL_MS = 15000;
/** Shortest gap between refreshes caused by events of closures this page does not show yet. */
export const UNFILTERED_REFRESH_GAP_MS = 10000;

const STEP_ICONS = {
  Running: 'utility:spinner',
  Succeeded: 'utility:success',
  Failed: 'utility:error',
  Skipped: 'utility:skip',
  Waiting: 'utility:clock',
};

const STATUS_BADGES = {
  Completed: 'slds-badge slds-theme_success',
  Failed: 'slds-badge slds-theme_error',
  Cancelled: 'slds-badge',
};

/**
 * The live timeline of a deal closure on Opportunity and Deal_Closure__c record pages: the agents' steps with
 * status, reasoning, confidence and duration, the approvals per approver with due times, and the signature status
 * per recipient. Updates arrive through lightning/empApi on Deal_Closure_Event__e; without streaming the timeline
 * refreshes every 15 seconds while the run is active.
 */
export default class DealClosureTimeline extends NavigationMixin(LightningElement) {
  @api recordId;

  timeline;
  error;
  isLive = false;
  isPolling = false;
  latestMessage;

  wiredTimelineResult;
  subscription;
  pollTimer;
  refreshHandlerId;
  lastUnfilteredRefresh = 0;

  @wire(getTimeline, { recordId: '$recordId' })
  wiredTimeline(result) {
    this.wiredTimelineResult = result;
    const { data, error } = result;
    if (data) {
      this.timeline = data;
      this.error = undefined;
      if (data.closure && data.closure.isTerminal) {
        this.stopPolling();
      }
    } else if (error) {
      this.timeline = undefined;
      this.error = errorMessage(error);
    }
  }

  connectedCallback() {
    this.refreshHandlerId = registerRefreshHandler(this, this.refresh.bind(this));
    this.startLiveUpdates();
  }

  disconnectedCallback() {
    this.stopPolling();
    if (this.subscription) {
      unsubscribe(this.subscription, () => {});
      this.subscription = undefined;
    }
    if (this.refreshHandlerId) {
      unregisterRefreshHandler(this.refreshHandlerId);
      this.refreshHandlerId = undefined;
    }
  }

  async startLiveUpdates() {
    try {
      const enabled = await isEmpEnabled();
      if (!enabled) {
        this.startPolling();
        return;
      }
      onError(() => {
        this.isLive = false;
        this.startPolling();
      });
      this.subscription = await subscribe(CHANNEL, -1, (message) => this.handleEvent(message));
      this.isLive = true;
    } catch {
      this.isLive = false;
      this.startPolling();
    }
  }

  handleEvent(message) {
    const payload = (message && message.data && message.data.payload) || {};
    const closureId = this.closure && this.closure.id;
    if (closureId) {
      if (!sameRecordId(payload.Closure_Id__c, closureId)) {
        return;
      }
    } else {
      // No closure on this page yet: an event may be its first one, so refresh, but not for every event.
      const now = Date.now();
      if (now - this.lastUnfilteredRefresh < UNFILTERED_REFRESH_GAP_MS) {
        return;
      }
      this.lastUnfilteredRefresh = now;
    }
    if (payload.Message__c) {
      this.latestMessage = payload.Message__c;
    }
    this.refresh();
  }

  refresh() {
    return this.wiredTimelineResult ? refreshApex(this.wiredTimelineResult) : Promise.resolve();
  }

  startPolling() {
    if (this.pollTimer) {
      return;
    }
    this.isPolling = true;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.pollTimer = setInterval(() => {
      if (this.closure && this.closure.isTerminal) {
        return;
      }
      this.refresh();
    }, POLL_INTERVAL_MS);
  }

  stopPolling() {
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.isPolling = false;
  }

  handleRefresh() {
    this.refresh();
  }

  handleOpenClosure() {
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: { recordId: this.closure.id, objectApiName: 'Deal_Closure__c', actionName: 'view' },
    });
  }

  get closure() {
    return this.timeline ? this.timeline.closure : undefined;
  }

  get hasClosure() {
    return !!this.closure;
  }

  get showOpenClosure() {
    return this.hasClosure && !sameRecordId(this.recordId, this.closure.id);
  }

  get liveLabel() {
    if (this.isLive) {
      return 'Live';
    }
    if (this.isPolling) {
      return `Refreshing every ${POLL_INTERVAL_MS / 1000} s`;
    }
    return this.closure && this.closure.isTerminal ? 'Finished' : 'Connecting';
  }

  get statusBadgeClass() {
    // The template compiler drops the space between the name and the badge: the gap is a margin.
    const badge = (this.closure && STATUS_BADGES[this.closure.status]) || 'slds-badge slds-badge_lightest';
    return `${badge} slds-m-left_x-small`;
  }

  get confidenceLabel() {
    return this.closure ? formatPercent(this.closure.confidence) : '';
  }

  get steps() {
    return ((this.timeline && this.timeline.steps) || []).map((step) => ({
      ...step,
      iconName: STEP_ICONS[step.status] || 'utility:routing_offline',
      confidenceLabel: formatPercent(step.confidence),
      durationLabel: formatDuration(step.durationMs),
    }));
  }

  get hasSteps() {
    return this.steps.length > 0;
  }

  get approvals() {
    return (this.timeline && this.timeline.approvals) || [];
  }

  get hasApprovals() {
    return this.approvals.length > 0;
  }

  get recipients() {
    return (this.timeline && this.timeline.recipients) || [];
  }

  get hasRecipients() {
    return this.recipients.length > 0;
  }
}
