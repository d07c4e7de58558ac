import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEvent } from 'lightning/actions';
import { RefreshEvent } from 'lightning/refresh';
import getClosurePreview from '@salesforce/apex/DealDeskController.getClosurePreview';
import startClosure from '@salesforce/apex/DealDeskController.startClosure';
import { errorMessage, formatPercent } from 'c/dealDeskUtils';

/** Longest note Deal_Closure__c.Note__c holds. */
export const NOTE_MAX_LENGTH = 32768;
/** Longest transcript Deal_Closure__c.Transcript__c holds. */
export const TRANSCRIPT_MAX_LENGTH = 131072;

/**
 * The Close Deal quick action on Opportunity: shows what a closure will work with (amount, products, discount,
 * contacts, the readiness an earlier closure detected), why it cannot start when it cannot, and starts it with
 * the rep's note and call transcript.
 */
export default class CloseDeal extends LightningElement {
  @api recordId;

  note = '';
  transcript = '';
  preview;
  previewError;
  startError;
  isStarting = false;

  noteMaxLength = NOTE_MAX_LENGTH;
  transcriptMaxLength = TRANSCRIPT_MAX_LENGTH;

  @wire(getClosurePreview, { opportunityId: '$recordId' })
  wiredPreview({ data, error }) {
    if (data) {
      this.preview = data;
      this.previewError = undefined;
    } else if (error) {
      this.preview = undefined;
      this.previewError = errorMessage(error);
    }
  }

  get isLoading() {
    return !this.preview && !this.previewError;
  }

  get products() {
    return (this.preview?.products ?? []).map((product) => ({
      ...product,
      discountLabel: product.discountPercent ? formatPercent(product.discountPercent) : '',
    }));
  }

  get hasProducts() {
    return this.products.length > 0;
  }

  get contacts() {
    return this.preview?.contacts ?? [];
  }

  get hasContacts() {
    return this.contacts.length > 0;
  }

  get discountLabel() {
    const discount = this.preview?.discountPercent;
    return discount === null || discount === undefined ? 'None' : formatPercent(discount);
  }

  get readiness() {
    return this.preview?.readiness;
  }

  get readinessLabel() {
    const readiness = this.readiness;
    if (!readiness) {
      return '';
    }
    const parts = [];
    if (readiness.confidence !== null && readiness.confidence !== undefined) {
      parts.push(`${formatPercent(readiness.confidence)} closing confidence`);
    }
    if (readiness.decisionLabel) {
      parts.push(`decision: ${readiness.decisionLabel}`);
    }
    return parts.join(', ');
  }

  get blockers() {
    return this.preview?.blockers ?? [];
  }

  get hasBlockers() {
    return this.blockers.length > 0;
  }

  get isStartDisabled() {
    return !this.preview || !this.preview.canStart || this.isStarting;
  }

  handleNoteChange(event) {
    this.note = event.target.value;
  }

  handleTranscriptChange(event) {
    this.transcript = event.target.value;
  }

  handleCancel() {
    this.dispatchEvent(new CloseActionScreenEvent());
  }

  async handleStart() {
    if (this.isStartDisabled) {
      return;
    }
    this.isStarting = true;
    this.startError = undefined;
    try {
      await startClosure({
        opportunityId: this.recordId,
        note: this.note,
        transcript: this.transcript,
      });
      this.dispatchEvent(
        new ShowToastEvent({
          title: 'Deal closure started',
          message: 'The dealdesk agents are on it. Follow them on the Deal Closure Timeline.',
          variant: 'success',
        }),
      );
      this.dispatchEvent(new RefreshEvent());
      this.dispatchEvent(new CloseActionScreenEvent());
    } catch (error) {
      this.startError = errorMessage(error);
    } finally {
      this.isStarting = false;
    }
  }
}
